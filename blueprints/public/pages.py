"""Home, category and article pages, uploads and the health check."""

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    g,
    redirect,
    request,
    send_from_directory,
    url_for,
)

from bantin import counters, documents, queries, reader
from bantin.extensions import db
from bantin.models import Article, Media, MediaKind
from bantin.sidebar import site_layout
from bantin.web import shared_cache
from bantin.web.headers import UPLOADS_CSP
from bantin.web.paging import page_arg, paginate
from blueprints.public.blueprint import bp


@bp.after_request
def _vary_on_cookie(response):
    """Reader pages differ by the language cookie and a reader's flashed messages."""
    response.vary.add("Cookie")
    return response


@bp.after_request
def _count_page_view(response):
    """Count reader page views and visits (the article view counts itself); offer the page
    to nginx's microcache, whose hits are counted from its views log instead."""
    if (
        request.blueprint == "public"
        and response.status_code == 200
        and response.mimetype == "text/html"
    ):
        if not g.get("hit_recorded") and counters.countable(request):
            counters.record_page_view(counters.is_new_visit(request))
            counters.mark_visit(response)
        shared_cache.mark(response, g.get("shared_view", "page"))
    return response


@bp.get("/")
def home():
    """The front page: featured, latest, then a block per category."""
    return reader.render_page("public/home.html", **queries.home_data())


@bp.get("/category/<slug>")
def category(slug: str):
    """One category's articles, newest first, paginated."""
    cat = queries.category_by_slug(slug)
    if cat is None:
        abort(404)
    number = page_arg()
    per_page = max(1, min(100, site_layout().settings.articles_per_page or 20))
    page = paginate(queries.category_count(cat.id), per_page, number)
    return reader.render_page(
        "public/category.html",
        category=cat,
        articles=queries.category_listing(cat.id, page),
        page=page.number,
        pages=page.pages,
        total=page.total,
    )


@bp.get("/article/<int(max=2147483647):article_id>")
@bp.get("/article/<int(max=2147483647):article_id>/<slug>")
def article(article_id: int, slug: str | None = None):
    """The article page; any other address of it redirects (301) to the canonical one."""
    art = queries.article_snapshot(article_id)
    if art is None or not Article.is_visible(art):
        abort(404)
    if slug != art.slug:
        return redirect(url_for("public.article", article_id=art.id, slug=art.slug), 301)
    return reader.article_page(art)


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
    # A pooled connection straight from the engine: the ORM session's transaction
    # bookkeeping cost more than the query (issue 16's profile).
    with db.engine.connect() as connection:
        connection.exec_driver_sql("SELECT 1")
    return "ok", 200, {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
