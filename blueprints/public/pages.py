"""Home, category and article pages, uploads and the health check."""

from collections.abc import Callable

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_babel import get_locale

from bantin import cache, counters, documents, queries, sidebar
from bantin.cache import fill_holes
from bantin.comments import comments_open
from bantin.extensions import db
from bantin.formatting import number
from bantin.models import Article, Media, MediaKind
from bantin.sidebar import site_layout
from bantin.web.headers import UPLOADS_CSP
from bantin.web.paging import page_arg, paginate
from blueprints.public.blueprint import bp
from bantin.comment_form import CommentForm

VIEWS_HOLE = cache.Hole("views")


@bp.after_request
def _vary_on_cookie(response):
    """Reader pages differ by the language cookie and a reader's flashed messages."""
    response.vary.add("Cookie")
    return response


@bp.after_request
def _count_page_view(response):
    """Count reader page views and visits; the article view counts itself."""
    if (
        request.blueprint == "public"
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not g.get("hit_recorded")
        and counters.countable(request)
    ):
        counters.record_page_view(counters.is_new_visit(request))
        counters.mark_visit(response)
    return response


def render_page(
    template: str,
    fills: dict | None = None,
    key_extra=None,
    lazy_context: Callable[[], dict] | None = None,
    **context,
) -> str:
    """Render a reader page through the page cache, with holes for per-request parts.

    The HTML is cached per content version, address and language (and `key_extra`); the
    per-request parts (flashed messages, visit counters: ``sidebar.HOLES``) and the caller's
    `fills` are filled in per request. `lazy_context` adds what only a render needs (built
    on a cache miss). A POST's page (a rejected comment) is rendered, never cached.
    """
    fills = sidebar.part_fills() | (fills or {})

    def build() -> str:
        extra = lazy_context() if lazy_context else {}
        return render_template(template, **{**context, "parts": sidebar.HOLES, **extra})

    if request.method != "GET":
        return fill_holes(build(), fills)
    key = ("html", template, request.host_url, request.full_path, str(get_locale()), key_extra)
    return fill_holes(cache.cached(key, build), fills)


@bp.get("/")
def home():
    """The front page: featured, latest, then a block per category."""
    return render_page("public/home.html", **queries.home_data())


@bp.get("/category/<slug>")
def category(slug: str):
    """One category's articles, newest first, paginated."""
    cat = queries.category_by_slug(slug)
    if cat is None:
        abort(404)
    number = page_arg()
    per_page = max(1, min(100, site_layout().settings.articles_per_page or 20))
    page = paginate(queries.category_count(cat.id), per_page, number)
    return render_page(
        "public/category.html",
        category=cat,
        articles=queries.category_listing(cat.id, page),
        page=page.number,
        pages=page.pages,
        total=page.total,
    )


@bp.get("/article/<int(max=9223372036854775807):article_id>")
@bp.get("/article/<int(max=9223372036854775807):article_id>/<slug>")
def article(article_id: int, slug: str | None = None):
    """The article page; any other address of it redirects (301) to the canonical one."""
    art = queries.article_snapshot(article_id)
    if art is None or not Article.is_visible(art):
        abort(404)
    if slug != art.slug:
        return redirect(url_for("public.article", article_id=art.id, slug=art.slug), 301)
    return render_article(art)


def render_article(art, form=None, status: int = 200, count_view: bool = True):
    """The article page; a rejected comment re-renders it (400) with its form, uncounted.

    A plain view's blank comment form is part of the cached page, its per-reader tokens
    (CSRF, captcha, form time) holes filled per request.
    """
    if count_view and counters.countable(request):
        figures = counters.record_article_view(art.id, counters.is_new_visit(request))
        g.hit_recorded = True
    else:
        figures = counters.article_counts(art.id)
    is_open = comments_open(art, site_layout().settings)
    fills = {VIEWS_HOLE: number(figures.views)}
    lazy_context = None
    if is_open and form is None:
        fills |= CommentForm.token_fills(art)
        lazy_context = lambda: {"comment_form": CommentForm.blank(art)}  # noqa: E731
    html = render_page(
        "public/article.html",
        fills=fills,
        # An auto-approved comment changes no content version; comments close with time.
        key_extra=(figures.comments, is_open),
        lazy_context=lazy_context,
        article=art,
        views=VIEWS_HOLE,
        same_category=queries.same_category_cards(art),
        comments=queries.approved_comment_list(art.id, figures.comments),
        comment_form=form if is_open else None,
        comments_closed=not is_open,
    )
    response = current_app.make_response((html, status))
    if g.get("hit_recorded"):
        counters.mark_visit(response)
    return response


@bp.get("/uploads/<path:filename>")
def uploads(filename: str):
    """Uploaded media (nginx serves images directly and passes documents to this view).

    Documents (`files/…`) are served only when the library knows them, always as a
    download carrying their original name (RFC 5987 `filename*` plus an ASCII fallback).
    """
    folder = current_app.config["UPLOAD_FOLDER"]
    if filename.startswith("files/"):
        item = db.session.scalar(
            sa.select(Media).where(
                Media.path == f"/uploads/{filename}", Media.kind == MediaKind.FILE
            )
        )
        if item is None:
            abort(404)
        response = send_from_directory(
            folder, filename, mimetype=item.mime, max_age=31536000, conditional=True
        )
        response.headers["Content-Disposition"] = documents.content_disposition(
            item.original_name or filename.rpartition("/")[2]
        )
    else:
        response = send_from_directory(folder, filename, max_age=31536000)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = UPLOADS_CSP
    return response


@bp.get("/healthz")
def healthz():
    """200 "ok" when the database answers."""
    db.session.execute(sa.text("SELECT 1"))
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
