"""Home, category and article pages, uploads and the health check."""

import math

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
from sqlalchemy.exc import OperationalError

from bantin import counters, queries
from bantin.comments import comments_open
from bantin.errors import write_unavailable
from bantin.extensions import db
from bantin.models import Category, SiteSettings
from blueprints.public.blueprint import bp
from blueprints.public.forms import CommentForm

MAX_PAGE = 1_000_000


@bp.after_request
def _count_page_view(response):
    """Count reader page views and visits; the article view counts itself."""
    if (
        request.blueprint == "public"
        and request.method == "GET"
        and response.status_code == 200
        and response.mimetype == "text/html"
        and not g.get("hit_recorded")
        and not counters.is_bot(request)
    ):
        counters.record_page_view(counters.is_new_visit(request))
        counters.mark_visit(response)
    return response


def parse_page() -> int:
    """?page=: missing or 0 means the first page; anything else not a sane number is a 404."""
    raw = request.args.get("page", "")
    if raw in ("", "0"):
        return 1
    if not raw.isascii() or not raw.isdigit() or len(raw) > 7:
        abort(404)
    page = int(raw)
    if page < 1 or page > MAX_PAGE:
        abort(404)
    return page


@bp.get("/")
def home():
    """The front page: featured, latest, then a block per category."""
    return render_template(
        "public/home.html",
        featured=queries.featured(4),
        latest=queries.latest(12),
        blocks=queries.category_blocks(4),
    )


@bp.get("/category/<slug>")
def category(slug: str):
    """One category's articles, newest first, paginated."""
    cat = db.session.scalar(sa.select(Category).where(Category.slug == slug))
    if cat is None:
        abort(404)
    page = parse_page()
    per_page = max(1, min(100, SiteSettings.get().articles_per_page or 20))
    total = queries.count_in_category(cat.id)
    pages = max(1, math.ceil(total / per_page))
    if page > pages:
        abort(404)
    return render_template(
        "public/category.html",
        category=cat,
        articles=queries.category_page(cat.id, page, per_page),
        page=page,
        pages=pages,
        total=total,
    )


@bp.get("/article/<int(max=9223372036854775807):article_id>")
@bp.get("/article/<int(max=9223372036854775807):article_id>/<slug>")
def article(article_id: int, slug: str | None = None):
    """The article page; any other address of it redirects (301) to the canonical one."""
    art = queries.article_with_category(article_id)
    if art is None or not art.is_visible():
        abort(404)
    if slug != art.slug:
        return redirect(url_for("public.article", article_id=art.id, slug=art.slug), 301)
    return render_article(art)


def render_article(art, form=None, status: int = 200, count_view: bool = True):
    """The article page; a rejected comment re-renders it (400) with its form, uncounted."""
    views = art.view_count
    if count_view and not counters.is_bot(request):
        views = counters.record_article_view(art.id, counters.is_new_visit(request))
        g.hit_recorded = True
    is_open = comments_open(art)
    if is_open and form is None:
        try:
            form = CommentForm.blank(art)
        except OperationalError as error:
            # A full or read-only disk cannot store the captcha challenge: readers still
            # get the article, this time without the form (posting would fail anyway).
            if not write_unavailable(error):
                raise
            db.session.rollback()
            form = None
    response = current_app.make_response(
        (
            render_template(
                "public/article.html",
                article=art,
                views=views,
                same_category=queries.same_category(art, 10),
                comments=queries.approved_comments(art.id),
                comment_form=form if is_open else None,
                comments_closed=not is_open,
            ),
            status,
        )
    )
    if g.get("hit_recorded"):
        counters.mark_visit(response)
    return response


@bp.get("/uploads/<path:filename>")
def uploads(filename: str):
    """Uploaded media (nginx serves this folder directly in production)."""
    response = send_from_directory(current_app.config["UPLOAD_FOLDER"], filename, max_age=31536000)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@bp.get("/healthz")
def healthz():
    """200 "ok" when the database answers."""
    db.session.execute(sa.text("SELECT 1"))
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
