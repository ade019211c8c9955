"""Official documents for readers: GET /documents, /documents/<id>/<slug>, the feed."""

from flask import Response, abort, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _

from bantin import cache, documents, reader
from bantin import official_documents as service
from bantin.clock import utcnow
from bantin.models import SiteSettings, TermKind
from bantin.text import clean_line
from bantin.web.headers import UPLOADS_CSP
from bantin.web.paging import page_arg, paginate
from blueprints.public.blueprint import bp

ID = "int(max=2147483647)"
FEED_CACHE = "public, max-age=300"
TERM_ARGS = {"type": TermKind.TYPE, "issuer": TermKind.ISSUER, "field": TermKind.FIELD}


def _id_arg(name: str, known: set[int]) -> int | None:
    """A term id from the query string: malformed is a 400, an id no longer known is
    ignored (a bookmark may outlive a deleted term)."""
    raw = request.args.get(name, "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 9):
        abort(400)
    value = int(raw)
    return value if value in known else None


def _year_arg() -> int | None:
    raw = request.args.get("year", "")
    if raw == "":
        return None
    if not (raw.isascii() and raw.isdigit() and len(raw) == 4):
        abort(400)
    year = int(raw)
    if not service.MIN_YEAR <= year <= service.MAX_YEAR:
        abort(400)
    return year


@bp.get("/documents")
def documents_list():
    """Documents, newest issued first, filtered by words, type, issuer, field and year."""
    terms = service.all_terms()
    ids = {kind: {t.id for t in rows} for kind, rows in terms.items()}
    filters = service.Filters(
        q=clean_line(request.args.get("q", ""))[: service.QUERY_MAX],
        type_id=_id_arg("type", ids[TermKind.TYPE]),
        issuer_id=_id_arg("issuer", ids[TermKind.ISSUER]),
        field_id=_id_arg("field", ids[TermKind.FIELD]),
        year=_year_arg(),
    )
    number = page_arg()
    stmt = service.filtered(filters)
    page = paginate(service.count(stmt), service.PER_PAGE, number)
    args = {
        "q": filters.q or None,
        "type": filters.type_id,
        "issuer": filters.issuer_id,
        "field": filters.field_id,
        "year": filters.year,
    }
    return reader.render_page(
        "public/documents/list.html",
        filters=filters,
        docs=service.listing(stmt, page),
        types=terms[TermKind.TYPE],
        issuers=terms[TermKind.ISSUER],
        fields=terms[TermKind.FIELD],
        years=service.years(),
        page=page.number,
        pages=page.pages,
        total=page.total,
        args={k: v for k, v in args.items() if v is not None},
    )


@bp.get(f"/documents/<{ID}:document_id>")
@bp.get(f"/documents/<{ID}:document_id>/<slug>")
def document(document_id: int, slug: str | None = None):
    """One document: metadata, files, related documents; other addresses answer 301."""
    doc = service.get(document_id)
    if doc is None or not doc.is_visible():
        abort(404)
    if slug != doc.slug:
        target = url_for("public.document", document_id=doc.id, slug=doc.slug)
        if request.args.get("print"):
            target += "?print=1"
        return redirect(target, 301)
    replaces = service.replaces(doc)
    replaced_by = service.replaced_by(doc)
    shown = {d.id for d in replaces} | ({replaced_by.id} if replaced_by else set())
    return reader.render_page(
        "public/documents/document.html",
        doc=doc,
        replaces=replaces,
        replaced_by=replaced_by,
        same_field=service.same_field(doc, shown),
        print_view=bool(request.args.get("print")),
    )


@bp.get(f"/documents/<{ID}:document_id>/files/<{ID}:file_id>/view")
def document_file_view(document_id: int, file_id: int):
    """A PDF of a visible document, inline: the browser's own viewer opens it."""
    doc = service.get(document_id)
    if doc is None or not doc.is_visible():
        abort(404)
    row = service.document_file(doc, file_id)
    if row is None or row.media is None or row.media.mime != "application/pdf":
        abort(404)
    path = documents.file_path(row.media)
    if path is None or not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/pdf", conditional=True, max_age=300)
    disposition = documents.content_disposition(row.media.original_name or path.name)
    response.headers["Content-Disposition"] = disposition.replace("attachment", "inline", 1)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = UPLOADS_CSP
    return response


@bp.get("/documents/feed.xml")
def documents_feed():
    """RSS 2.0: the newest published documents."""

    def build() -> str:
        settings = SiteSettings.get()
        items = service.feed_items()
        return render_template(
            "public/documents/feed.xml",
            title=_("Văn bản") + f" | {settings.site_name}",
            description=_(
                "Văn bản mới ban hành của %(owner)s", owner=settings.owner or settings.site_name
            ),
            link=url_for("public.documents_list", _external=True),
            self_url=request.base_url,
            docs=items,
            doc_title=service.title,
            built=items[0].published_at if items else utcnow(),
        )

    body = cache.cached(("feed", "documents", request.host_url, str(_("Văn bản"))), build)
    response = Response(body, mimetype="application/rss+xml")
    response.headers["Cache-Control"] = FEED_CACHE
    return response
