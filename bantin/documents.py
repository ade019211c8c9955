"""Document uploads (văn bản đính kèm): PDF, DOCX, XLSX, PPTX, ODT, ODS, checked by content.

Nothing the client says is trusted: not the content type, not the name. The bytes decide
the type (a PDF by its `%PDF-` header and an `%%EOF` near the end; Office Open XML by the
parts of its zip; OpenDocument by the zip's first, uncompressed `mimetype` entry), and the
name's extension must then agree with it. Zips are opened only after their directory has
been checked: no encryption, no macros, bounded entry count, bounded total uncompressed
size and compression ratio (zip bombs), and every entry's CRC is verified (corrupt files).

A document is stored as one file, byte for byte as uploaded, under a random name:
`UPLOAD_FOLDER/files/<yyyy>/<mm>/<32 hex>.<ext>`, and served as a download carrying its
original name (blueprints/public/pages.py).
"""

from __future__ import annotations

import io
import os
import re
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import quote

from flask import current_app
from flask_babel import lazy_gettext as _l

from bantin import media
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Media, MediaKind, User
from bantin.text import clean_line

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class DocType:
    ext: str
    mime: str
    label: str  # what people call it, shown in the media library


TYPES: dict[str, DocType] = {
    t.ext: t
    for t in (
        DocType("pdf", "application/pdf", "PDF"),
        DocType(
            "docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word (DOCX)",
        ),
        DocType(
            "xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel (XLSX)",
        ),
        DocType(
            "pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            "PowerPoint (PPTX)",
        ),
        DocType("odt", "application/vnd.oasis.opendocument.text", "OpenDocument (ODT)"),
        DocType("ods", "application/vnd.oasis.opendocument.spreadsheet", "OpenDocument (ODS)"),
    )
}
EXTENSIONS = tuple(TYPES)
IMAGE_EXTENSIONS = ("jpg", "jpeg", "png", "webp", "gif")
# For <input type=file accept=…>: a hint for the file chooser, never a check.
ACCEPT = ",".join(f".{ext}" for ext in (*EXTENSIONS, *IMAGE_EXTENSIONS))

PDF_MAGIC = b"%PDF-"
PDF_EOF_WINDOW = 2048  # %%EOF must appear within this many bytes of the end
ZIP_MAGIC = b"PK\x03\x04"
# Compound File Binary: Office 97-2003 files (.doc/.xls/.ppt) and password-protected
# Office Open XML files, whose encrypted package lives inside such a container.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

# Zip limits. A 20 MB spreadsheet inflates to ~10x its size; bombs inflate to 1000x.
MAX_ENTRIES = 10_000
MAX_UNCOMPRESSED = 300 * 1024 * 1024
MAX_RATIO = 100  # whole archive: uncompressed / compressed, checked above RATIO_FLOOR
RATIO_FLOOR = 10 * 1024 * 1024
MAX_ENTRY_RATIO = 1000  # one entry (DEFLATE cannot do much better than ~1030 honestly)
MAX_PART_READ = 2 * 1024 * 1024  # [Content_Types].xml and mimetype are small

OOXML_MAIN = {
    "word/document.xml": "docx",
    "xl/workbook.xml": "xlsx",
    "ppt/presentation.xml": "pptx",
}
ODF_MIMETYPES = {
    b"application/vnd.oasis.opendocument.text": "odt",
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
# Content types of parts that carry code: VBA projects, Excel 4.0 macro sheets, ActiveX.
_MACRO_TYPES = re.compile(rb"macroenabled|vbaproject|vbadata|macrosheet|activex", re.IGNORECASE)
_MACRO_PARTS = re.compile(r"(^|/)(vbaproject\.bin|vbadata\.xml)$|(^|/)activex/", re.IGNORECASE)
_ODF_SCRIPTS = ("basic/", "scripts/")

OLD_OR_ENCRYPTED = _l(
    "Đây là tệp Office định dạng cũ (.doc, .xls, .ppt) hoặc có đặt mật khẩu. "
    "Hãy lưu lại thành .docx, .xlsx hoặc .pptx không mật khẩu rồi tải lên."
)
ENCRYPTED = _l("Tệp văn bản có đặt mật khẩu (mã hoá), không nhận. Hãy bỏ mật khẩu rồi tải lên lại.")
NOT_SUPPORTED = _l(
    "Tệp này không phải ảnh (JPEG, PNG, WebP, GIF) hay văn bản được nhận "
    "(PDF, DOCX, XLSX, PPTX, ODT, ODS)."
)


class DocumentError(media.UploadError):
    """A refused document (a kind of UploadError: callers catch either)."""


def max_bytes() -> int:
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES") or DEFAULT_MAX_BYTES)


def limit_text(size: int) -> str:
    """A size limit for messages: 20971520 -> "20 MB", 1572864 -> "1.5 MB", 65536 -> "64 KB"."""
    if size >= 1024 * 1024:
        value = size / (1024 * 1024)
        return f"{value:.0f} MB" if value == int(value) else f"{value:.1f} MB"
    return f"{max(1, round(size / 1024))} KB"


# ---------------------------------------------------------------- names


def clean_name(raw: str | None) -> str:
    """The original file name as people wrote it: NFC, no folders, no control characters.

    Vietnamese letters stay; only what cannot be part of a name is removed. A name longer
    than the column keeps its extension.
    """
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = clean_line(name).strip(". ")
    if len(name) > 255:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = f"{stem[: 254 - len(ext)].rstrip()}.{ext}"
        else:
            name = name[:255]
    return name


def extension(name: str) -> str:
    """The lower-case extension of a file name, without the dot ("" when none)."""
    suffix = PurePosixPath(name).suffix
    return suffix[1:].lower() if suffix else ""


def ascii_name(name: str) -> str:
    """A plain-ASCII stand-in for old clients: "Quyết định 15.pdf" -> "Quyet dinh 15.pdf"."""
    decomposed = unicodedata.normalize("NFKD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = plain.encode("ascii", "ignore").decode("ascii")
    plain = re.sub(r"[^A-Za-z0-9 ._()\[\]+,-]", "_", plain).strip()
    return plain or "tep-dinh-kem"


def content_disposition(name: str) -> str:
    """`attachment` with the name twice: ASCII for old clients, UTF-8 (RFC 5987/6266)."""
    fallback = ascii_name(name).replace('"', "_")
    encoded = quote(name, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


# ---------------------------------------------------------------- content checks


def is_document_candidate(data: bytes, name: str) -> bool:
    """True when the upload should be judged as a document rather than as an image."""
    return data.startswith((PDF_MAGIC, ZIP_MAGIC, OLE_MAGIC)) or extension(name) in EXTENSIONS


def _check_pdf(data: bytes) -> str:
    if b"%%EOF" not in data[-PDF_EOF_WINDOW:]:
        raise DocumentError(_l("Tệp PDF bị cắt cụt hoặc hỏng (thiếu phần kết thúc của tệp)."))
    return "pdf"


def _open_zip(data: bytes) -> zipfile.ZipFile:
    corrupt = _l("Tệp văn bản bị hỏng, không đọc được (cấu trúc zip không hợp lệ).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise DocumentError(corrupt) from exc
    if not infos:
        raise DocumentError(corrupt)
    if len(infos) > MAX_ENTRIES:
        raise DocumentError(_l("Tệp văn bản có quá nhiều thành phần, không nhận."))
    if any(info.flag_bits & 0x1 for info in infos):
        raise DocumentError(ENCRYPTED)
    bomb = _l("Tệp văn bản giải nén ra quá lớn so với kích thước của nó (nghi là bom zip).")
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        raise DocumentError(bomb)
    if total > RATIO_FLOOR and total > MAX_RATIO * len(data):
        raise DocumentError(bomb)
    for info in infos:
        if info.file_size > 1024 * 1024 and info.file_size > MAX_ENTRY_RATIO * max(
            info.compress_size, 1
        ):
            raise DocumentError(bomb)
    return archive


def _read_part(archive: zipfile.ZipFile, name: str) -> bytes:
    with archive.open(name) as part:
        return part.read(MAX_PART_READ)


def _verify_crc(archive: zipfile.ZipFile) -> None:
    """Inflate every entry (bounded by the checked sizes above): a corrupt one fails here."""
    try:
        bad = archive.testzip()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        bad = str(exc) or "?"
    except NotImplementedError as exc:  # an unknown compression method
        bad = str(exc) or "?"
    if bad is not None:
        raise DocumentError(_l("Tệp văn bản bị hỏng, không đọc được (dữ liệu nén bị lỗi)."))


def _check_zip(data: bytes) -> str:
    macro = _l(
        "Tệp có chứa macro (mã lệnh VBA hoặc Basic), không nhận. "
        "Hãy lưu lại thành tệp thường (.docx, .xlsx, .pptx, .odt, .ods) rồi tải lên."
    )
    archive = _open_zip(data)
    names = archive.namelist()
    if any(_MACRO_PARTS.search(n) for n in names):
        raise DocumentError(macro)
    first = archive.infolist()[0]
    kind = None
    if first.filename == "mimetype":
        if first.header_offset != 0 or first.compress_type != zipfile.ZIP_STORED:
            raise DocumentError(NOT_SUPPORTED)
        try:
            kind = ODF_MIMETYPES.get(_read_part(archive, "mimetype").strip())
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            raise DocumentError(NOT_SUPPORTED) from exc
        if kind is None:
            raise DocumentError(NOT_SUPPORTED)
        if any(n.lower().startswith(_ODF_SCRIPTS) for n in names):
            raise DocumentError(macro)
        # OpenDocument encrypts entries inside a plain zip; the manifest says so.
        if "META-INF/manifest.xml" in names:
            try:
                manifest = _read_part(archive, "META-INF/manifest.xml")
            except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
                raise DocumentError(NOT_SUPPORTED) from exc
            if b"encryption-data" in manifest:
                raise DocumentError(ENCRYPTED)
    elif "[Content_Types].xml" in names:
        try:
            types = _read_part(archive, "[Content_Types].xml")
        except (zipfile.BadZipFile, ValueError, EOFError, OSError) as exc:
            raise DocumentError(NOT_SUPPORTED) from exc
        if _MACRO_TYPES.search(types):
            raise DocumentError(macro)
        found = {ext for part, ext in OOXML_MAIN.items() if part in names}
        if len(found) != 1:
            raise DocumentError(NOT_SUPPORTED)
        kind = found.pop()
    else:
        raise DocumentError(NOT_SUPPORTED)
    _verify_crc(archive)
    return kind


def detect(data: bytes) -> str:
    """The document type (an extension in TYPES) of these bytes, or DocumentError."""
    if not data:
        raise DocumentError(_l("Tệp trống, không có nội dung."))
    if data.startswith(PDF_MAGIC):
        return _check_pdf(data)
    if data.startswith(ZIP_MAGIC):
        return _check_zip(data)
    if data.startswith(OLE_MAGIC):
        raise DocumentError(OLD_OR_ENCRYPTED)
    raise DocumentError(NOT_SUPPORTED)


def check(data: bytes, name: str) -> DocType:
    """Detect the type by content and require the name's extension to agree."""
    claimed = extension(name)
    if not data:
        raise DocumentError(_l("Tệp trống, không có nội dung."))
    if claimed in EXTENSIONS and not data.startswith((PDF_MAGIC, ZIP_MAGIC, OLE_MAGIC)):
        raise DocumentError(
            _l(
                "Tệp “%(name)s” không phải tệp %(type)s thật (nội dung không khớp với đuôi tên).",
                name=name,
                type=claimed.upper(),
            )
        )
    kind = detect(data)
    if claimed != kind:
        shown = "." + claimed if claimed else _l("không có đuôi")
        raise DocumentError(
            _l(
                "Đuôi tên tệp (%(claimed)s) không khớp với nội dung (tệp %(kind)s). "
                "Hãy đặt đúng đuôi .%(ext)s rồi tải lại.",
                claimed=shown,
                kind=kind.upper(),
                ext=kind,
            )
        )
    return TYPES[kind]


# ---------------------------------------------------------------- storing


def read_upload(file_storage, limit: int) -> tuple[bytes, str]:
    """The uploaded bytes (at most `limit`, else a 413 UploadError) and the cleaned name."""
    if file_storage is None or not getattr(file_storage, "filename", None):
        raise DocumentError(_l("Chưa chọn tệp nào."))
    data = file_storage.stream.read(limit + 1)
    if len(data) > limit:
        raise DocumentError(
            _l("Tệp quá lớn (tối đa %(limit)s).", limit=limit_text(limit)), status=413
        )
    return data, clean_name(file_storage.filename)


def store_document(data: bytes, name: str, user: User | None) -> Media:
    """Check a document and store it; add its Media row (the caller commits)."""
    limit = max_bytes()
    if len(data) > limit:
        raise DocumentError(
            _l("Tệp quá lớn (tối đa %(limit)s).", limit=limit_text(limit)), status=413
        )
    doc = check(data, name)
    now = utcnow()
    folder_rel = f"files/{now:%Y}/{now:%m}"
    folder = media.upload_root() / folder_rel
    folder.mkdir(parents=True, exist_ok=True)
    filename = f"{secrets.token_hex(16)}.{doc.ext}"
    path = folder / filename
    tmp = path.with_name(f".{filename}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    item = Media(
        kind=MediaKind.FILE,
        path=f"/uploads/{folder_rel}/{filename}",
        original_name=name,
        mime=doc.mime,
        width=0,
        height=0,
        widths="",
        bytes=len(data),
        uploaded_by_id=user.id if user is not None else None,
        created_at=now,
    )
    db.session.add(item)
    try:
        db.session.flush()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return item


def store_upload(file_storage, user: User | None) -> Media:
    """An image or a document from one upload field, whichever its content is.

    Documents are judged by documents' rules (and size limit); everything else goes to the
    image checks (bantin.media), which keep their own limit and messages.
    """
    image_limit = int(current_app.config.get("MAX_CONTENT_LENGTH") or 16 * 1024 * 1024)
    data, name = read_upload(file_storage, max(max_bytes(), image_limit))
    if not data:
        raise DocumentError(_l("Tệp trống, không có nội dung."))
    if is_document_candidate(data, name):
        return store_document(data, name, user)
    if len(data) > image_limit:
        raise media.UploadError(
            _l("Ảnh quá lớn (tối đa %(limit)s).", limit=limit_text(image_limit)), status=413
        )
    return media.store_image_bytes(data, name, user)


def as_json(item: Media) -> dict:
    """The upload endpoint's answer for a document (docs/editor-schema.md attachment)."""
    ext = item.path.rpartition(".")[2]
    return {
        "id": item.id,
        "url": item.path,
        "href": item.path,
        "name": item.original_name,
        "size": item.bytes,
        "content_type": item.mime,
        "kind": "file",
        "ext": ext,
    }


def type_label(item: Media) -> str:
    ext = item.path.rpartition(".")[2].lower()
    doc = TYPES.get(ext)
    return doc.label if doc else ext.upper()


def file_path(item: Media):
    """Where a document's bytes are on disk (None for a path outside the upload folder)."""
    return media.file_path(item.path)


def delete_file(item: Media) -> None:
    path = file_path(item)
    if path is not None:
        path.unlink(missing_ok=True)
