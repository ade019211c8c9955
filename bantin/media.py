"""Image uploads: sniffed and checked with Pillow, cleaned, re-encoded in a few widths.

Nothing of the uploaded file is trusted: not its name, not its content type, not its
metadata. Pillow decides what it is (JPEG, PNG, WebP or GIF only), the pixel count is
bounded before any decoding, the pixels are decoded (a truncated file fails), EXIF
orientation is applied, and fresh files are written without any metadata under a random
name: `UPLOAD_FOLDER/<yyyy>/<mm>/<stem>-<slot>.<ext>`.

The decoding and encoding run in a short-lived child process (bantin.imaging), one at a
time per worker: a big image's pixels never enter the long-lived worker, whose memory
glibc would not give back (docs/performance.md, "Upload memory").

Slots are 320, 800 and 1600: a slot's file is at most that wide, never upscaled. The 320
and 800 files always exist (for a small image they are the same size), the 1600 one only
for images wider than 800; `Media.url` is the 800 file.

Documents (PDF, Office, OpenDocument) are checked and stored by bantin.documents; this
module also answers, for both kinds, where an item is used and removes its files.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from PIL import Image

from bantin import imaging
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.imaging import EXTENSIONS
from bantin.models import (
    Article,
    ArticleAutosave,
    ArticleRevision,
    Media,
    MediaKind,
    OfficialDocument,
    OfficialDocumentFile,
    SiteSettings,
    User,
)
from bantin.text import clean_line

MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}

# One image child per worker at a time: its peak (up to ~200 MB for a 40 MP PNG) is paid
# once per worker, never once per thread. Others wait their turn, then get a 503.
_IMAGE_TURN = threading.BoundedSemaphore(1)
TURN_WAIT_SECONDS = 15.0
# A 40 MP PNG takes 3-4 s here; the child is killed (and the upload refused) after this.
CHILD_SECONDS = 25.0


class UploadError(ValueError):
    """An upload we refuse; `message` is a sentence for the person who uploaded it.

    `status` is the HTTP answer: 400, 413 for a file over the size limit, or 503 while
    the server is busy with other images.
    """

    def __init__(self, message, status: int = 400) -> None:
        super().__init__(message)  # may be a lazy string: translated when shown
        self.message = message
        self.status = status


@dataclass(frozen=True)
class Variant:
    slot: int
    width: int
    height: int
    url: str


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def _read(file_storage) -> bytes:
    if file_storage is None or not getattr(file_storage, "filename", None):
        raise UploadError(_l("Chưa chọn tệp ảnh nào."))
    limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 16 * 1024 * 1024)
    data = file_storage.stream.read(limit + 1)
    if not data:
        raise UploadError(_l("Tệp trống, không có nội dung."))
    if len(data) > limit:
        raise UploadError(_l("Tệp quá lớn (tối đa 16 MB)."), status=413)
    return data


def _refusal(code: str) -> UploadError:
    if code == "not_image":
        return UploadError(_l("Tệp này không phải ảnh JPEG, PNG, WebP hoặc GIF."))
    if code == "too_big":
        return UploadError(_l("Ảnh quá lớn (tối đa 40 megapixel)."))
    if code == "mode":
        return UploadError(_l("Kiểu màu của ảnh này chưa được hỗ trợ, hãy lưu lại dạng JPEG."))
    return UploadError(_l("Ảnh bị hỏng hoặc không đầy đủ, không đọc được."))


def _child_env() -> dict[str, str]:
    """The worker's environment without the app's settings (secrets, database URL)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("BANTIN_")}


def _render_in_child(data: bytes) -> imaging.Rendered:
    cmd = [sys.executable, "-P", imaging.__file__]
    log = current_app.logger
    try:
        done = subprocess.run(
            cmd,
            input=data,
            capture_output=True,
            timeout=CHILD_SECONDS,
            env=_child_env(),
            check=False,
        )
    except subprocess.TimeoutExpired as exc:  # run() has killed and reaped the child
        log.warning("image upload: processing took over %.0f s; refused", CHILD_SECONDS)
        raise UploadError(
            _l("Không xử lý được ảnh này; hãy thử lại hoặc tải lên ảnh nhỏ hơn.")
        ) from exc
    except OSError:
        # No interpreter to start (an embedded server): do the work here instead.
        log.exception("image upload: no child process could be started; decoding in-process")
        return imaging.render(data)
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace")[-1500:]
        log.warning("image upload: the image process failed (%s): %s", done.returncode, tail)
        raise UploadError(_l("Không xử lý được ảnh này; hãy thử lại hoặc tải lên ảnh nhỏ hơn."))
    try:
        return imaging.parse_reply(done.stdout)
    except imaging.ImageRefused:
        raise
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("image upload: unreadable reply from the image process: %s", exc)
        raise UploadError(
            _l("Không xử lý được ảnh này; hãy thử lại hoặc tải lên ảnh nhỏ hơn.")
        ) from exc


def render(data: bytes) -> imaging.Rendered:
    """Check, decode, clean and encode an upload in a child process (one per worker at a time).

    Raises UploadError with a message for people when the file is refused.
    """
    if not _IMAGE_TURN.acquire(timeout=TURN_WAIT_SECONDS):
        raise UploadError(
            _l("Máy chủ đang bận xử lý ảnh khác; hãy thử lại sau ít phút."), status=503
        )
    try:
        return _render_in_child(data)
    except imaging.ImageRefused as exc:
        raise _refusal(exc.code) from exc
    finally:
        _IMAGE_TURN.release()


def store_image(file_storage, user: User | None) -> Media:
    """Check, clean and store an uploaded image; add its Media row (the caller commits).

    Raises UploadError with a message for people when the file is refused.
    """
    data = _read(file_storage)
    name = clean_line(Path(file_storage.filename or "").name)[:255]
    return store_image_bytes(data, name, user)


def store_image_bytes(data: bytes, name: str, user: User | None) -> Media:
    """Check, clean and store an image already read; add its Media row (the caller commits)."""
    if not data:
        raise UploadError(_l("Tệp trống, không có nội dung."))
    return _store(render(data), name, user)


def store_picture(image: Image.Image, fmt: str, name: str, user: User | None = None) -> Media:
    """Store a clean image made here (demo content) in every width; add its Media row."""
    files = imaging.resize_all(image, fmt, image.width, image.height)
    return _store(imaging.Rendered(fmt, image.width, image.height, files), name, user)


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _store(rendered: imaging.Rendered, name: str, user: User | None) -> Media:
    """Write every width under a random name; add the Media row."""
    fmt = rendered.fmt
    ext = EXTENSIONS[fmt]
    now = utcnow()
    folder_rel = f"{now:%Y}/{now:%m}"
    folder = upload_root() / folder_rel
    folder.mkdir(parents=True, exist_ok=True)
    stem = secrets.token_hex(8)
    slots = sorted(rendered.files)
    written: list[Path] = []
    try:
        for slot in slots:
            path = folder / f"{stem}-{slot}.{ext}"
            _write(path, rendered.files[slot])
            written.append(path)
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    media = Media(
        kind=MediaKind.IMAGE,
        path=f"/uploads/{folder_rel}/{stem}-{slots[-1]}.{ext}",
        original_name=name,
        mime=MIME[fmt],
        width=rendered.width,
        height=rendered.height,
        widths=",".join(str(s) for s in slots),
        bytes=sum(len(b) for b in rendered.files.values()),
        uploaded_by_id=user.id if user is not None else None,
        created_at=now,
    )
    db.session.add(media)
    db.session.flush()
    return media


def variants(media: Media) -> list[Variant]:
    """Each stored size of an image: its slot, real pixel size and URL."""
    result = []
    for slot in slot_list(media):
        width = min(slot, media.width)
        height = max(1, round(media.height * width / media.width))
        result.append(Variant(slot, width, height, variant_url(media, slot)))
    return result


def slot_list(media: Media) -> list[int]:
    return [int(s) for s in (media.widths or "").split(",") if s.strip().isdigit()]


def stem_url(media: Media) -> str:
    """`/uploads/yyyy/mm/<stem>` (without the `-<slot>.<ext>` ending)."""
    base, _, _ = media.path.rpartition("-")
    return base


def variant_url(media: Media, slot: int) -> str:
    ext = media.path.rpartition(".")[2]
    return f"{stem_url(media)}-{slot}.{ext}"


def srcset(media: Media) -> str:
    return ", ".join(f"{v.url} {v.width}w" for v in variants(media))


def as_json(media: Media) -> dict:
    """The upload endpoint's answer: the 800 file (what articles show) and the others."""
    main = next((v for v in variants(media) if v.slot == 800), variants(media)[-1])
    return {
        "id": media.id,
        "kind": "image",
        "url": main.url,
        "href": main.url,
        "name": media.original_name,
        "size": media.bytes,
        "content_type": media.mime,
        "width": main.width,
        "height": main.height,
        "srcset": srcset(media),
        "original": {"width": media.width, "height": media.height},
        "sizes": {str(v.slot): v.url for v in variants(media)},
    }


def is_file(media: Media) -> bool:
    return media.kind == MediaKind.FILE


# ---------------------------------------------------------------- usage and deletion

# Where an item is used in an article. "revision": only in an older saved version.
BODY, COVER, REVISION = "body", "cover", "revision"


@dataclass(frozen=True)
class ArticleUse:
    article: Article
    places: frozenset[str]

    @property
    def only_old_revision(self) -> bool:
        return self.places == {REVISION}


@dataclass(frozen=True)
class Usage:
    uses: list[ArticleUse]
    is_logo: bool
    autosaves: int = 0  # unsaved work (autosaves) that holds the item
    # Official documents (trash included) listing the item among their files.
    documents: list[str] = field(default_factory=list)

    @property
    def articles(self) -> list[Article]:
        return [use.article for use in self.uses]

    @property
    def in_use(self) -> bool:
        return bool(self.uses) or self.is_logo or bool(self.autosaves) or bool(self.documents)


USAGE_LIMIT = 50  # articles listed per item


def needle(media: Media) -> str:
    """The text every reference to this item contains: an image's stem (any size), a path."""
    return media.path if is_file(media) else f"{stem_url(media)}-"


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _flags(column, patterns: list[str]) -> list:
    return [column.like(p, escape="\\") for p in patterns]


def usages(items: list[Media]) -> dict[int, Usage]:
    """Usage of several items at once: one pass over articles, revisions and autosaves.

    An article counts when its body or cover holds the item, or when any of its saved
    revisions does (it can be restored); trashed articles count too. So does the site
    logo, and unsaved work in an autosave.
    """
    if not items:
        return {}
    patterns = [_like(needle(m)) for m in items]
    found: dict[int, dict[int, set[str]]] = {m.id: {} for m in items}

    def note(rows, places_of) -> None:
        for row in rows:
            for index, item in enumerate(items):
                places = places_of(row, index)
                if places:
                    found[item.id].setdefault(row[0], set()).update(places)

    n = len(items)
    body_flags = _flags(Article.body, patterns)
    cover_flags = _flags(Article.cover_url, patterns)
    rows = db.session.execute(
        sa.select(Article.id, *body_flags, *cover_flags).where(sa.or_(*body_flags, *cover_flags))
    ).all()
    note(
        rows,
        lambda row, i: {p for p, hit in ((BODY, row[1 + i]), (COVER, row[1 + n + i])) if hit},
    )
    revision_flags = _flags(ArticleRevision.body, patterns)
    rows = db.session.execute(
        sa.select(
            ArticleRevision.article_id,
            *[sa.func.max(sa.case((f, 1), else_=0)) for f in revision_flags],
        )
        .where(sa.or_(*revision_flags))
        .group_by(ArticleRevision.article_id)
    ).all()
    note(rows, lambda row, i: {REVISION} if row[1 + i] else set())
    autosave_flags = _flags(ArticleAutosave.body, patterns)
    autosave_counts = db.session.execute(
        sa.select(*[sa.func.sum(sa.case((f, 1), else_=0)) for f in autosave_flags]).where(
            sa.or_(*autosave_flags)
        )
    ).one()

    article_ids = {aid for per_item in found.values() for aid in per_item}
    articles = (
        {a.id: a for a in db.session.scalars(sa.select(Article).where(Article.id.in_(article_ids)))}
        if article_ids
        else {}
    )
    logo = SiteSettings.get().logo_url or ""
    listed: dict[int, list[str]] = {}
    for media_id, number in db.session.execute(
        sa.select(OfficialDocumentFile.media_id, OfficialDocument.number)
        .join(OfficialDocument, OfficialDocument.id == OfficialDocumentFile.document_id)
        .where(OfficialDocumentFile.media_id.in_([m.id for m in items]))
        .order_by(OfficialDocument.id)
    ):
        listed.setdefault(media_id, []).append(number)
    result = {}
    for index, item in enumerate(items):
        per_item = found[item.id]
        uses = [
            # Found only in a revision though the article's body or cover has it: still
            # "body"/"cover"; the old-revision mark is for items gone from the live article.
            ArticleUse(articles[aid], frozenset(places - {REVISION} or places))
            for aid, places in sorted(per_item.items(), reverse=True)
            if aid in articles
        ][:USAGE_LIMIT]
        is_logo = not is_file(item) and logo.startswith(needle(item))
        result[item.id] = Usage(
            uses, is_logo, int(autosave_counts[index] or 0), listed.get(item.id, [])
        )
    return result


def usage(media: Media) -> Usage:
    """Articles (trash and old revisions included: they can be restored), the site logo
    and autosaved work that use this item."""
    return usages([media])[media.id]


def file_path(url: str) -> Path | None:
    """The file on disk behind an /uploads/ URL, or None for one outside the upload folder."""
    root = upload_root().resolve()
    rel = url.removeprefix("/uploads/")
    path = (root / rel).resolve()
    return path if path.is_relative_to(root) and path != root else None


def delete_files(media: Media) -> None:
    """Remove the stored file(s) of an item: every size of an image, or the one document."""
    if is_file(media):
        path = file_path(media.path)
        if path is not None:
            path.unlink(missing_ok=True)
        return
    for slot in slot_list(media):
        path = file_path(variant_url(media, slot))
        if path is not None:
            path.unlink(missing_ok=True)
