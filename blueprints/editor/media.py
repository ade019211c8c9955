"""Uploads (JSON for the editor, a plain form for the library) and the media library."""

import sqlalchemy as sa
from flask import (
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from bantin import audit, documents, media
from bantin.errors import _render_error as render_error
from bantin.extensions import db
from bantin.models import Media, MediaKind, User
from bantin.permissions import Capability, can, requires
from bantin.text import clean_line, fold
from bantin.web.paging import page_arg, paginate
from blueprints.editor.blueprint import bp

PER_PAGE = 24
KINDS = {"image": MediaKind.IMAGE, "file": MediaKind.FILE}
UPLOAD_ENDPOINTS = frozenset({"editor.upload", "editor.media_upload"})
# Room for the multipart framing and the CSRF field around a file of the maximum size.
MULTIPART_SLACK = 256 * 1024


def request_limit() -> int:
    """The largest request body an upload endpoint reads (other routes keep the global one)."""
    image_limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 16 * 1024 * 1024)
    return max(documents.max_bytes(), image_limit) + MULTIPART_SLACK


@bp.url_value_preprocessor
def _upload_request_limit(endpoint: str | None, _values) -> None:
    """Raise the body limit for the two upload endpoints only, before anything reads it.

    URL value preprocessors run before every before_request hook: the app-level ones (the
    CSRF check, the malformed-input check) already parse the form, so a limit set in a
    before_request of this blueprint would come too late.
    """
    if endpoint in UPLOAD_ENDPOINTS:
        request.max_content_length = request_limit()


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """A body over the limit: a sentence for the uploader, in the form the caller reads."""
    message = _(
        "Tệp quá lớn (tối đa %(limit)s).", limit=documents.limit_text(documents.max_bytes())
    )
    if request.endpoint == "editor.upload":
        return jsonify(error=message), 413
    # The body is refused before the login check runs: the library only for those whom
    # the upload view lets in.
    if request.endpoint == "editor.media_upload" and can(Capability.UPLOAD_MEDIA):
        return _library(upload_error=message, status=413)
    # Anything else: the app's own error page (with its fallback when the layout fails).
    return render_error(error, 413)


def _store(file_storage) -> Media:
    item = documents.store_upload(file_storage, current_user._get_current_object())
    audit.record("media.upload", "media", item.id, f"{item.path} ({item.original_name})"[:500])
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        media.delete_files(item)  # no row, no file
        raise
    return item


@bp.post("/uploads")
@requires(Capability.UPLOAD_MEDIA)
def upload():
    """Store one image or document (field `file`); answer JSON, or 400/413 with a reason."""
    try:
        item = _store(request.files.get("file"))
    except media.UploadError as exc:
        db.session.rollback()
        return jsonify(error=str(exc.message)), exc.status
    answer = documents.as_json(item) if media.is_file(item) else media.as_json(item)
    return jsonify(answer), 201


# ---------------------------------------------------------------- the library


def size_label(size: int) -> str:
    """245760 -> "240 KB", 1572864 -> "1,5 MB" (decimal comma in Vietnamese)."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{format_decimal(size / (1024 * 1024), format='0.0')} MB"


def _filters() -> dict:
    kind = request.args.get("kind", "")
    return {
        "q": clean_line(request.args.get("q", ""))[:200],
        "kind": kind if kind in KINDS else "",
    }


def _query(q: str, kind: str) -> sa.Select:
    stmt = sa.select(Media)
    if kind:
        stmt = stmt.where(Media.kind == KINDS[kind])
    if q:
        # Folded on both sides (lowercase, no marks, đ -> d): "quyet dinh" finds
        # "Quyết định 15.pdf", as the article list's search does.
        folded = fold(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        stmt = stmt.where(sa.func.bantin_fold(Media.original_name).like(f"%{folded}%", escape="\\"))
    return stmt


def _library(error: str | None = None, upload_error: str | None = None, status: int = 200):
    filters = _filters()
    number = page_arg()
    stmt = _query(**filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0
    page = paginate(total, PER_PAGE, number)
    items = db.session.scalars(
        page.rows(stmt.order_by(Media.created_at.desc(), Media.id.desc()))
    ).all()
    uploader_ids = {m.uploaded_by_id for m in items if m.uploaded_by_id}
    uploaders = (
        {u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(uploader_ids)))}
        if uploader_ids
        else {}
    )
    usages = media.usages(list(items))
    rows = []
    for m in items:
        is_file = media.is_file(m)
        rows.append(
            {
                "media": m,
                "is_file": is_file,
                "url": m.url,
                "ext": m.path.rpartition(".")[2].lower(),
                "type_label": documents.type_label(m) if is_file else _image_label(m),
                "size": size_label(m.bytes),
                "variants": [] if is_file else media.variants(m),
                "usage": usages[m.id],
                "uploader": uploaders.get(m.uploaded_by_id),
            }
        )
    return (
        render_template(
            "editor/media/library.html",
            rows=rows,
            page=page.number,
            pages=page.pages,
            total=page.total,
            filters=filters,
            filter_args={k: v for k, v in filters.items() if v},
            error=error,
            upload_error=upload_error,
            accept=documents.ACCEPT,
            max_size=documents.limit_text(documents.max_bytes()),
        ),
        status,
    )


def _image_label(m: Media) -> str:
    return _("Ảnh %(format)s", format=m.mime.rpartition("/")[2].upper())


@bp.get("/media")
@requires(Capability.UPLOAD_MEDIA)
def media_library():
    """Images and documents, newest first: search, filter by kind, usage, upload, delete."""
    return _library()


@bp.post("/media/upload")
@requires(Capability.UPLOAD_MEDIA)
def media_upload():
    """The library's upload form (works without JavaScript): back to the list with a note."""
    try:
        item = _store(request.files.get("file"))
    except media.UploadError as exc:
        db.session.rollback()
        return _library(upload_error=str(exc.message), status=exc.status)
    flash(_("Đã tải lên “%(name)s”.", name=item.original_name or item.path), "success")
    return redirect(url_for("editor.media_library", _anchor=f"media-{item.id}"), 303)


def _places(usage: media.Usage) -> list[str]:
    """Where an item is used, as short phrases for the refusal message."""
    places = []
    for use in usage.uses:
        if use.only_old_revision:
            places.append(_("“%(title)s” (phiên bản cũ)", title=use.article.title))
        else:
            places.append(f"“{use.article.title}”")
    if usage.is_logo:
        places.append(_("logo trang"))
    if usage.autosaves:
        places.append(_("bản tự lưu chưa lưu thành bài"))
    for number in usage.documents:
        places.append(_("văn bản %(number)s", number=number))
    return places


@bp.post("/media/<int(max=2147483647):media_id>/delete")
@requires(Capability.UPLOAD_MEDIA)
def media_delete(media_id: int):
    """Delete an item nobody uses (files and row); one in use answers 409 with the list."""
    item = db.session.get(Media, media_id)
    if item is None:
        abort(404)
    # Contributors tidy their own uploads; editors anyone's.
    if not can(Capability.PUBLISH_ARTICLES) and item.uploaded_by_id != current_user.id:
        abort(403)
    used = media.usage(item)
    name = item.original_name or item.path
    if used.in_use:
        return _library(
            error=_(
                "Không thể xóa “%(name)s” vì đang được dùng ở: %(places)s. "
                "Hãy bỏ nó khỏi các bài viết (kể cả phiên bản cũ) hoặc logo trước.",
                name=name,
                places="; ".join(_places(used)),
            ),
            status=409,
        )
    audit.record("media.delete", "media", item.id, f"{item.path} ({item.original_name})"[:500])
    db.session.delete(item)
    db.session.commit()
    media.delete_files(item)
    flash(_("Đã xóa “%(name)s”.", name=name), "success")
    # Back to the same page of the same list, or its new last page if this one emptied.
    filters = _filters()
    left = db.session.scalar(sa.select(sa.func.count()).select_from(_query(**filters).subquery()))
    page = paginate(left or 0, PER_PAGE, page_arg(), clamp=True).number
    args = {k: v for k, v in filters.items() if v}
    return redirect(url_for("editor.media_library", page=page if page > 1 else None, **args), 303)
