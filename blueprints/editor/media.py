"""Image uploads (JSON for the editor) and the media library."""

import math

import sqlalchemy as sa
from flask import abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bantin import audit, media
from bantin.extensions import db
from bantin.models import Media, User
from bantin.paging import page_arg
from bantin.permissions import staff_required
from blueprints.editor.blueprint import bp

PER_PAGE = 24


@bp.post("/uploads")
@staff_required
def upload():
    """Store one image (field `file`); answer JSON with its URL, or 400 with a reason."""
    try:
        item = media.store_image(request.files.get("file"), current_user._get_current_object())
    except media.UploadError as exc:
        db.session.rollback()
        return jsonify(error=str(exc.message)), 400
    audit.record("media.upload", "media", item.id, f"{item.path} ({item.original_name})"[:500])
    db.session.commit()
    return jsonify(media.as_json(item)), 201


def _library(error: str | None = None, status: int = 200):
    page = page_arg()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(Media)) or 0
    pages = max(1, math.ceil(total / PER_PAGE))
    if page > pages:
        abort(404)
    items = db.session.scalars(
        sa.select(Media)
        .order_by(Media.created_at.desc(), Media.id.desc())
        .offset((page - 1) * PER_PAGE)
        .limit(PER_PAGE)
    ).all()
    uploader_ids = {m.uploaded_by_id for m in items if m.uploaded_by_id}
    uploaders = {
        u.id: u for u in db.session.scalars(sa.select(User).where(User.id.in_(uploader_ids)))
    }
    rows = [
        {
            "media": m,
            "variants": media.variants(m),
            "usage": media.usage(m),
            "uploader": uploaders.get(m.uploaded_by_id),
        }
        for m in items
    ]
    return (
        render_template(
            "editor/media/library.html",
            rows=rows,
            page=page,
            pages=pages,
            total=total,
            error=error,
        ),
        status,
    )


@bp.get("/media")
@staff_required
def media_library():
    """Uploaded images with their sizes, uploader and the articles that use them."""
    return _library()


@bp.post("/media/<int(max=9223372036854775807):media_id>/delete")
@staff_required
def media_delete(media_id: int):
    """Delete an image nobody uses (files and row)."""
    item = db.session.get(Media, media_id)
    if item is None:
        abort(404)
    used = media.usage(item)
    if used.in_use:
        return _library(
            error=_(
                "Không thể xoá ảnh “%(name)s” vì đang được dùng. "
                "Hãy bỏ ảnh khỏi các bài viết (hoặc logo) trước.",
                name=item.original_name or item.path,
            ),
            status=409,
        )
    audit.record("media.delete", "media", item.id, f"{item.path} ({item.original_name})"[:500])
    db.session.delete(item)
    db.session.commit()
    media.delete_files(item)
    flash(_("Đã xoá ảnh."), "success")
    return redirect(url_for("editor.media_library", page=request.args.get("page", 1)), 303)
