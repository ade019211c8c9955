"""Document attachments: checked by content, stored whole, downloaded under their own name;
and the media library that lists, finds, uploads and (only when unused) deletes them."""

import functools
import io
import re
import unicodedata
import zipfile
from pathlib import Path
from urllib.parse import quote

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from bantin.extensions import db
from bantin.models import ArticleRevision, AuditLog, Media, MediaKind
from bantin.web.headers import UPLOADS_CSP
from tests.test_media import image_bytes

MiB = 1024 * 1024

# ---------------------------------------------------------------- real small documents


def make_pdf(text: str = "Quyet dinh so 15", padding: int = 0) -> bytes:
    """A minimal valid PDF written by hand: one page, one line, a correct xref table.

    `padding` adds an unused stream object of that many bytes (for size limits).
    """
    content = f"BT /F1 18 Tf 72 760 Td ({text}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if padding:
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (padding, b"0" * padding))
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _zip(entries: list[tuple[str, bytes | str]], stored_first: bool = False) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            zf.writestr(zipfile.ZipInfo(name, (2026, 5, 4, 10, 0, 0)), data, method)
    return buf.getvalue()


CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def _content_types(overrides: dict[str, str], defaults: dict[str, str] | None = None) -> str:
    defaults = {
        "rels": "application/vnd.openxmlformats-package.relationships+xml",
        "xml": "application/xml",
        **(defaults or {}),
    }
    parts = [f'<Default Extension="{e}" ContentType="{t}"/>' for e, t in defaults.items()]
    parts += [f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides.items()]
    return f'{XML_HEAD}<Types xmlns="{CT_NS}">{"".join(parts)}</Types>'


def _rels(target: str) -> str:
    return (
        f'{XML_HEAD}<Relationships xmlns="{REL_NS}">'
        f'<Relationship Id="rId1" Type="{OFFICE_DOC}" Target="{target}"/></Relationships>'
    )


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
WORD_MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def make_docx(
    text: str = "Quyết định về việc tổ chức tiếp công dân",
    main_type: str = WORD_MAIN,
    extra: list[tuple[str, bytes | str]] | None = None,
    body_padding: int = 0,
) -> bytes:
    document = (
        f'{XML_HEAD}<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
        f"{' ' * body_padding}</w:body></w:document>"
    )
    return _zip(
        [
            ("[Content_Types].xml", _content_types({"/word/document.xml": main_type})),
            ("_rels/.rels", _rels("word/document.xml")),
            ("word/document.xml", document),
            *(extra or []),
        ]
    )


def make_xlsx(extra: list[tuple[str, bytes | str]] | None = None) -> bytes:
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_rel = f"{rel}/worksheet"
    return _zip(
        [
            (
                "[Content_Types].xml",
                _content_types(
                    {
                        "/xl/workbook.xml": "application/vnd.openxmlformats-officedocument"
                        ".spreadsheetml.sheet.main+xml",
                        "/xl/worksheets/sheet1.xml": "application/vnd.openxmlformats-"
                        "officedocument.spreadsheetml.worksheet+xml",
                    }
                ),
            ),
            ("_rels/.rels", _rels("xl/workbook.xml")),
            (
                "xl/workbook.xml",
                f'{XML_HEAD}<workbook xmlns="{ns}" xmlns:r="{rel}"><sheets>'
                '<sheet name="Lịch trực" sheetId="1" r:id="rId1"/></sheets></workbook>',
            ),
            (
                "xl/_rels/workbook.xml.rels",
                f'{XML_HEAD}<Relationships xmlns="{REL_NS}"><Relationship Id="rId1" '
                f'Type="{sheet_rel}" Target="worksheets/sheet1.xml"/></Relationships>',
            ),
            (
                "xl/worksheets/sheet1.xml",
                f'{XML_HEAD}<worksheet xmlns="{ns}"><sheetData><row r="1"><c r="A1" '
                't="inlineStr"><is><t>Thứ Hai</t></is></c><c r="B1"><v>15</v></c></row>'
                "</sheetData></worksheet>",
            ),
            *(extra or []),
        ]
    )


def make_pptx() -> bytes:
    ns = "http://schemas.openxmlformats.org/presentationml/2006/main"
    return _zip(
        [
            (
                "[Content_Types].xml",
                _content_types(
                    {
                        "/ppt/presentation.xml": "application/vnd.openxmlformats-officedocument"
                        ".presentationml.presentation.main+xml",
                        "/ppt/slides/slide1.xml": "application/vnd.openxmlformats-"
                        "officedocument.presentationml.slide+xml",
                    }
                ),
            ),
            ("_rels/.rels", _rels("ppt/presentation.xml")),
            ("ppt/presentation.xml", f'{XML_HEAD}<p:presentation xmlns:p="{ns}"/>'),
            ("ppt/slides/slide1.xml", f'{XML_HEAD}<p:sld xmlns:p="{ns}"/>'),
        ]
    )


ODF_TEXT = "application/vnd.oasis.opendocument.text"
ODF_SHEET = "application/vnd.oasis.opendocument.spreadsheet"


def make_odf(mimetype: str = ODF_TEXT, extra=None, manifest_extra: str = "") -> bytes:
    office = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
    text_ns = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
    manifest_ns = "urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"
    body = (
        f'<office:text><text:p xmlns:text="{text_ns}">Thông báo lịch họp</text:p></office:text>'
        if mimetype == ODF_TEXT
        else "<office:spreadsheet/>"
    )
    return _zip(
        [
            ("mimetype", mimetype),
            (
                "META-INF/manifest.xml",
                f'{XML_HEAD}<manifest:manifest xmlns:manifest="{manifest_ns}" '
                'manifest:version="1.3">'
                f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{mimetype}"/>'
                '<manifest:file-entry manifest:full-path="content.xml" '
                f'manifest:media-type="text/xml">{manifest_extra}</manifest:file-entry>'
                "</manifest:manifest>",
            ),
            (
                "content.xml",
                f'{XML_HEAD}<office:document-content xmlns:office="{office}" '
                f'office:version="1.3"><office:body>{body}</office:body>'
                "</office:document-content>",
            ),
            *(extra or []),
        ],
        stored_first=True,
    )


def encrypted_zip() -> bytes:
    """A docx whose entries are flagged as encrypted (bit 0 of the general purpose flags)."""
    data = bytearray(make_docx())
    # Set the flag in every local header (PK\x03\x04, flags at +6) and central entry (+8).
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        for match in re.finditer(re.escape(signature), bytes(data)):
            data[match.start() + offset] |= 0x01
    return bytes(data)


def lying_sizes_zip() -> bytes:
    """A docx whose directory says document.xml is tiny while its data inflates further."""
    data = bytearray(make_docx(body_padding=5000))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("word/document.xml")
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        for match in re.finditer(re.escape(signature), bytes(data)):
            start = match.start()
            name_offset = 30 if signature == b"PK\x03\x04" else 46
            if data[start + name_offset : start + name_offset + 17] == b"word/document.xml":
                data[start + size_offset : start + size_offset + 4] = (100).to_bytes(4, "little")
    assert info.file_size > 100
    return bytes(data)


def corrupt_zip() -> bytes:
    """A docx with one byte of the compressed document changed (its CRC no longer matches)."""
    data = bytearray(make_docx(body_padding=3000))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + info.compress_size // 2] ^= 0xFF
    return bytes(data)


@functools.cache
def zip_bomb() -> bytes:
    """A docx whose document.xml inflates from ~60 KB to 60 MiB (ratio ~1000)."""
    return make_docx(body_padding=60 * MiB)


# ---------------------------------------------------------------- helpers


@pytest.fixture
def staff(factory, login):
    user = factory.user("editor", name="Trần Văn Thư")
    login(user)
    return user


def post_multipart(client, url: str, form: dict):
    """A multipart POST built in memory (the test client spools big bodies to a temporary
    file it never closes, which the suite's warnings-as-errors would report)."""
    boundary, body = encode_multipart(form)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload(client, data: bytes | None, name: str, content_type="application/octet-stream"):
    form = {}
    if data is not None:
        form["file"] = FileStorage(io.BytesIO(data), name, content_type=content_type)
    return post_multipart(client, "/editor/uploads", form)


def stored(app, url: str) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / url.removeprefix("/uploads/")


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def media_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Media)) or 0


# ---------------------------------------------------------------- accepted types

ACCEPTED = {
    "pdf": (make_pdf, "Quyết định 15.pdf", "application/pdf"),
    "docx": (
        make_docx,
        "Kế hoạch tiếp dân.docx",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        make_xlsx,
        "Lịch trực tháng 5.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pptx": (
        make_pptx,
        "Báo cáo tổng kết.pptx",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "odt": (make_odf, "Thông báo họp.odt", ODF_TEXT),
    "ods": (lambda: make_odf(ODF_SHEET), "Danh sách đoàn viên.ods", ODF_SHEET),
}


@pytest.mark.parametrize("ext", ACCEPTED)
def test_each_document_type_is_accepted_and_stored_whole(app, client, staff, ext):
    make, name, mime = ACCEPTED[ext]
    data = make()
    # The client's content type is ignored: a wrong one changes nothing.
    r = upload(client, data, name, "text/plain")
    assert r.status_code == 201, r.get_data(as_text=True)
    answer = r.get_json()
    assert set(answer) >= {"id", "url", "name", "size", "content_type", "kind", "ext"}
    assert answer["kind"] == "file" and answer["ext"] == ext
    assert answer["name"] == name and answer["size"] == len(data)
    assert answer["content_type"] == mime
    assert re.fullmatch(rf"/uploads/files/\d{{4}}/\d{{2}}/[0-9a-f]{{32}}\.{ext}", answer["url"])
    assert stored(app, answer["url"]).read_bytes() == data
    item = db.session.get(Media, answer["id"])
    assert item.kind == MediaKind.FILE and item.mime == mime and item.bytes == len(data)
    assert item.path == answer["url"] and item.original_name == name
    assert (item.width, item.height, item.widths) == (0, 0, "")
    assert item.uploaded_by_id == staff.id
    log = db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "media.upload"))
    assert log is not None and log.target_id == item.id and name in log.detail


def test_upper_case_extension_is_the_same_type(client, staff):
    r = upload(client, make_pdf(), "SCAN.PDF")
    assert r.status_code == 201 and r.get_json()["ext"] == "pdf"


def test_original_name_is_cleaned_and_composed(client, staff):
    decomposed = unicodedata.normalize("NFD", "Quyết định   số 15\x07.pdf")
    r = upload(client, make_pdf(), "../../tmp/" + decomposed)
    assert r.status_code == 201
    assert r.get_json()["name"] == "Quyết định số 15.pdf"
    item = db.session.get(Media, r.get_json()["id"])
    assert unicodedata.is_normalized("NFC", item.original_name)


def test_long_names_keep_their_extension(client, staff):
    r = upload(client, make_pdf(), "Tờ trình " * 60 + ".pdf")
    assert r.status_code == 201
    name = r.get_json()["name"]
    assert len(name) <= 255 and name.endswith(".pdf") and name.startswith("Tờ trình")


def test_images_answer_with_kind_name_size_and_type(client, staff):
    r = upload(client, image_bytes("JPEG"), "Ảnh trụ sở.jpg", "image/jpeg")
    assert r.status_code == 201
    answer = r.get_json()
    assert answer["kind"] == "image" and answer["name"] == "Ảnh trụ sở.jpg"
    assert answer["content_type"] == "image/jpeg" and answer["size"] > 0
    assert answer["url"].endswith("-800.jpg") and answer["srcset"]
    assert db.session.get(Media, answer["id"]).kind == MediaKind.IMAGE


# ---------------------------------------------------------------- refusals

TRUNCATED_PDF = make_pdf()[:-60]
REFUSED = {
    "wrong-magic-pdf": (lambda: b"<html>not a pdf</html>" * 10, "thong-bao.pdf", "không phải"),
    "wrong-magic-docx": (lambda: b"plain text, not a zip" * 10, "ke-hoach.docx", "không phải"),
    "docx-renamed-pdf": (make_docx, "Quyết định.pdf", "không khớp"),
    "pdf-renamed-docx": (make_pdf, "Kế hoạch.docx", "không khớp"),
    "xlsx-renamed-docx": (make_xlsx, "Bảng.docx", "không khớp"),
    "odt-renamed-ods": (make_odf, "Bảng.ods", "không khớp"),
    "pdf-without-extension": (make_pdf, "Quyết định", "không khớp"),
    "docm-renamed-docx": (
        lambda: make_docx(
            main_type=WORD_MACRO_MAIN,
            extra=[("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake vba")],
        ),
        "Biểu mẫu.docx",
        "macro",
    ),
    "macro-content-type-only": (
        lambda: make_docx(main_type=WORD_MACRO_MAIN),
        "Biểu mẫu.docx",
        "macro",
    ),
    "vbaproject-bin": (
        lambda: make_xlsx(extra=[("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 fake vba")]),
        "Bảng lương.xlsx",
        "macro",
    ),
    "odt-basic-macro": (
        lambda: make_odf(extra=[("Basic/Standard/Module1.xml", "<script/>")]),
        "Thông báo.odt",
        "macro",
    ),
    "zip-bomb": (zip_bomb, "Bom.docx", "bom zip"),
    "encrypted-zip": (encrypted_zip, "Mật.docx", "mật khẩu"),
    "encrypted-odf": (
        lambda: make_odf(manifest_extra="<manifest:encryption-data/>"),
        "Mật.odt",
        "mật khẩu",
    ),
    "encrypted-ooxml-or-old-office": (
        lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600,
        "Mật.docx",
        "định dạng cũ",
    ),
    "corrupt-zip": (corrupt_zip, "Hỏng.docx", "hỏng"),
    "lying-zip-sizes": (lying_sizes_zip, "Hỏng.docx", "hỏng"),
    "truncated-zip": (lambda: make_docx()[:-100], "Cụt.docx", "hỏng"),
    "truncated-pdf": (lambda: TRUNCATED_PDF, "Cụt.pdf", "cắt cụt"),
    "plain-zip": (lambda: _zip([("a.txt", "xin chào")]), "Nén.zip", "không phải ảnh"),
    "odf-other-mimetype": (
        lambda: make_odf("application/vnd.oasis.opendocument.presentation"),
        "Trình chiếu.odp",
        "không phải ảnh",
    ),
    "ooxml-without-main-part": (
        lambda: _zip([("[Content_Types].xml", _content_types({})), ("a.xml", "<a/>")]),
        "Rỗng.docx",
        "không phải ảnh",
    ),
    "empty": (lambda: b"", "Trống.pdf", "trống"),
}


@pytest.mark.parametrize("case", REFUSED)
def test_bad_documents_are_refused_with_a_reason(app, client, staff, case):
    make, name, message = REFUSED[case]
    r = upload(client, make(), name, "application/pdf")
    assert r.status_code == 400, r.get_data(as_text=True)
    assert r.is_json
    assert message in r.get_json()["error"], r.get_json()["error"]
    assert media_count() == 0
    assert stored_files(app) == []


def test_zip_bomb_fixture_is_small():
    assert len(zip_bomb()) < 200_000


def test_missing_file_field_is_400(client, staff):
    r = upload(client, None, "")
    assert r.status_code == 400 and "Chưa chọn" in r.get_json()["error"]


def test_documents_over_the_limit_are_413_with_a_message(app_factory, login, tmp_path):
    app = app_factory(ATTACHMENT_MAX_BYTES=64 * 1024)
    with app.app_context():
        from bantin.models import Role, User

        user = User(email="e@example.com", name="E", role=Role.EDITOR)
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": user.email, "password": "correct horse battery"})
        r = upload(client, make_pdf(padding=70 * 1024), "Lớn.pdf")
        assert r.status_code == 413
        assert r.get_json()["error"] == "Tệp quá lớn (tối đa 64 KB)."
        assert upload(client, make_pdf(padding=60 * 1024), "Vừa.pdf").status_code == 201


def test_upload_endpoint_alone_reads_bodies_over_16_mib(client, staff):
    """A 17 MiB PDF is taken by the upload endpoint; any other route still stops at 16 MiB."""
    big = make_pdf(padding=17 * MiB)
    r = upload(client, big, "Hồ sơ quét.pdf")
    assert r.status_code == 201, r.get_data(as_text=True)[:300]
    assert r.get_json()["size"] == len(big)
    other = post_multipart(
        client,
        "/editor/articles/new",
        {"title": "x", "file": FileStorage(io.BytesIO(big), "Hồ sơ quét.pdf")},
    )
    assert other.status_code == 413


def test_bodies_over_the_attachment_limit_are_413_json(client, staff):
    r = upload(client, make_pdf(padding=21 * MiB), "Quá lớn.pdf")
    assert r.status_code == 413
    assert r.is_json and "tối đa 20 MB" in r.get_json()["error"]
    assert media_count() == 0


def test_images_keep_their_16_mib_limit(client, staff):
    data = image_bytes("PNG", (10, 10)) + b"\0" * (16 * MiB)
    r = upload(client, data, "anh.png", "image/png")
    assert r.status_code == 413 and "quá lớn" in r.get_json()["error"]


def test_upload_requires_staff(client):
    r = upload(client, make_pdf(), "a.pdf")
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]
    assert media_count() == 0


# ---------------------------------------------------------------- downloads

NAME = "Quyết định số 15 về lịch tiếp công dân.pdf"


def test_download_is_byte_identical_with_the_vietnamese_name(app, client, staff):
    data = make_pdf()
    answer = upload(client, data, NAME).get_json()
    client.post("/logout")
    reader = app.test_client()
    r = reader.get(answer["url"])
    assert r.status_code == 200
    assert r.get_data() == data
    assert r.mimetype == "application/pdf"
    disposition = r.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=UTF-8''{quote(NAME, safe='')}" in disposition
    assert 'filename="Quyet dinh so 15 ve lich tiep cong dan.pdf"' in disposition
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Security-Policy"] == UPLOADS_CSP
    assert "sandbox" in r.headers["Content-Security-Policy"]
    r.close()


@pytest.mark.parametrize("ext", ["docx", "xlsx", "odt"])
def test_office_downloads_carry_their_type(app, client, staff, ext):
    make, name, mime = ACCEPTED[ext]
    answer = upload(client, make(), name).get_json()
    r = app.test_client().get(answer["url"])
    assert r.status_code == 200 and r.mimetype == mime
    assert r.headers["Content-Disposition"].startswith("attachment;")
    r.close()


def test_unknown_files_are_404(app, client, staff):
    assert client.get("/uploads/files/2026/05/" + "0" * 32 + ".pdf").status_code == 404
    # A file on disk that the library does not know is not served either.
    stray = Path(app.config["UPLOAD_FOLDER"]) / "files" / "2026" / "05" / ("a" * 32 + ".pdf")
    stray.parent.mkdir(parents=True)
    stray.write_bytes(make_pdf())
    assert client.get("/uploads/files/2026/05/" + "a" * 32 + ".pdf").status_code == 404
    # A known row whose file went missing: 404 as well, never a 500.
    answer = upload(client, make_pdf(), "a.pdf").get_json()
    stored(app, answer["url"]).unlink()
    assert client.get(answer["url"]).status_code == 404


def test_html_named_like_a_document_is_never_stored(app, client, staff):
    r = upload(client, b"<script>alert(1)</script>" * 20, "bao-cao.pdf", "application/pdf")
    assert r.status_code == 400 and stored_files(app) == []


# ---------------------------------------------------------------- the library


def add_media(factory_user, n: int, kind=MediaKind.FILE, name="Tệp {i}.pdf") -> list[Media]:
    """Library rows without files (listing needs none), oldest first."""
    from datetime import timedelta

    from bantin.clock import utcnow

    now = utcnow()
    items = []
    for i in range(n):
        ext = "pdf" if kind == MediaKind.FILE else "jpg"
        path = (
            f"/uploads/files/2026/05/{i:032x}.pdf"
            if kind == MediaKind.FILE
            else f"/uploads/2026/05/{i:016x}-800.jpg"
        )
        items.append(
            Media(
                kind=kind,
                path=path,
                original_name=name.format(i=i, ext=ext),
                mime="application/pdf" if kind == MediaKind.FILE else "image/jpeg",
                width=0 if kind == MediaKind.FILE else 800,
                height=0 if kind == MediaKind.FILE else 600,
                widths="" if kind == MediaKind.FILE else "320,800",
                bytes=245760,
                uploaded_by_id=factory_user.id,
                created_at=now - timedelta(minutes=n - i),
            )
        )
    db.session.add_all(items)
    db.session.commit()
    return items


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="ml-card[^"]*" id="(media-\d+)"', html)


def test_library_lists_images_and_files_with_details(client, staff, factory):
    doc = upload(client, make_pdf(), "Quyết định 15.pdf").get_json()
    img = upload(client, image_bytes("JPEG"), "Trụ sở.jpg", "image/jpeg").get_json()
    art = factory.article(
        title="Thông báo lịch tiếp dân",
        body=f'<div class="file-attachment"><a href="{doc["url"]}" data-type="pdf" '
        f'data-size="{doc["size"]}">Quyết định 15.pdf</a></div>',
    )
    page = client.get("/editor/media").get_data(as_text=True)
    assert cards(page) == [f"media-{img['id']}", f"media-{doc['id']}"]  # newest first
    assert "Quyết định 15.pdf" in page and "Trụ sở.jpg" in page
    assert ">PDF</span>" in page and "Ảnh JPEG" in page
    assert f"{max(1, round(doc['size'] / 1024))} KB" in page
    assert "1200 × 900 px" in page
    assert staff.name in page
    assert f'href="{doc["url"]}"' in page
    assert f'/editor/articles/{art.id}/edit">Thông báo lịch tiếp dân</a>' in page
    # The used document has no delete form, and says why; the unused image has one.
    assert f"/editor/media/{doc['id']}/delete" not in page
    assert "Không xóa được vì đang được dùng" in page
    assert f"/editor/media/{img['id']}/delete" in page


def test_library_filters_by_kind(client, staff):
    add_media(staff, 2, MediaKind.FILE, "Văn bản {i}.pdf")
    add_media(staff, 3, MediaKind.IMAGE, "Ảnh {i}.jpg")
    files = client.get("/editor/media?kind=file").get_data(as_text=True)
    assert len(cards(files)) == 2 and "Văn bản 0.pdf" in files and "Ảnh 0.jpg" not in files
    assert '<option value="file" selected>' in files
    images = client.get("/editor/media?kind=image").get_data(as_text=True)
    assert len(cards(images)) == 3 and "Văn bản 0.pdf" not in images
    everything = client.get("/editor/media?kind=nonsense").get_data(as_text=True)
    assert len(cards(everything)) == 5


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("quyết định", True),
        ("quyet dinh", True),
        ("QUYẾT ĐỊNH", True),
        ("QUYET DINH 15", True),
        (unicodedata.normalize("NFD", "định"), True),
        ("tiep dan", False),
        ("100%", False),
        ("_", False),
    ],
)
def test_library_search_ignores_diacritics_and_case(client, staff, query, found):
    add_media(staff, 1, MediaKind.FILE, "Quyết định 15 về nhân sự.pdf")
    add_media(staff, 1, MediaKind.IMAGE, "Ảnh hội nghị.jpg")
    r = client.get("/editor/media", query_string={"q": query})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert ("Quyết định 15 về nhân sự.pdf" in page) is found
    assert "Ảnh hội nghị.jpg" not in page
    if not found:
        assert "Không có mục nào khớp bộ lọc." in page


def test_library_search_and_kind_combine(client, staff):
    add_media(staff, 1, MediaKind.FILE, "Hội nghị tổng kết.pdf")
    add_media(staff, 1, MediaKind.IMAGE, "Hội nghị tổng kết.jpg")
    page = client.get("/editor/media?q=hoi+nghi&kind=image").get_data(as_text=True)
    assert len(cards(page)) == 1 and "Hội nghị tổng kết.jpg" in page
    assert 'value="hoi nghi"' in page  # the typed search is kept


def test_library_paginates_24_a_page_keeping_filters(client, staff):
    items = add_media(staff, 30, MediaKind.FILE, "Công văn {i}.pdf")
    first = client.get("/editor/media?kind=file&q=cong+van").get_data(as_text=True)
    assert cards(first) == [f"media-{m.id}" for m in reversed(items)][:24]
    assert "/editor/media?page=2&amp;kind=file&amp;q=cong+van" in first or (
        "page=2" in first and "kind=file" in first and "q=cong+van" in first
    )
    second = client.get("/editor/media?kind=file&q=cong+van&page=2").get_data(as_text=True)
    assert cards(second) == [f"media-{m.id}" for m in reversed(items)][24:]
    assert client.get("/editor/media?page=3").status_code == 404
    assert client.get("/editor/media?page=abc").status_code == 404


def test_library_requires_staff(client):
    r = client.get("/editor/media")
    assert r.status_code in (302, 303) and "/login" in r.headers["Location"]


# ---------------------------------------------------------------- the library's upload form


def form_upload(client, data: bytes | None, name: str, query: str = ""):
    form = {} if data is None else {"file": FileStorage(io.BytesIO(data), name)}
    return post_multipart(client, f"/editor/media/upload{query}", form)


def test_upload_form_stores_and_redirects_with_a_message(app, client, staff):
    data = make_docx()
    r = form_upload(client, data, "Kế hoạch năm 2026.docx")
    assert r.status_code == 303
    item = db.session.scalar(sa.select(Media))
    assert r.headers["Location"].endswith(f"/editor/media#media-{item.id}")
    assert stored(app, item.path).read_bytes() == data
    page = client.get("/editor/media").get_data(as_text=True)
    assert "Đã tải lên “Kế hoạch năm 2026.docx”." in page
    assert f'id="media-{item.id}"' in page


def test_upload_form_takes_images_too(client, staff):
    r = form_upload(client, image_bytes("PNG", (400, 300)), "Sơ đồ.png")
    assert r.status_code == 303
    assert db.session.scalar(sa.select(Media)).kind == MediaKind.IMAGE


@pytest.mark.parametrize(
    ("data", "name", "status", "message"),
    [
        (None, "", 400, "Chưa chọn"),
        (b"not a document" * 10, "Giả.pdf", 400, "không phải tệp PDF"),
        (make_docx(main_type=WORD_MACRO_MAIN), "Macro.docx", 400, "macro"),
        (make_pdf(padding=21 * MiB), "Lớn.pdf", 413, "quá lớn"),
    ],
)
def test_upload_form_errors_show_the_reason(client, staff, data, name, status, message):
    add_media(staff, 1, MediaKind.FILE, "Có sẵn.pdf")
    r = form_upload(client, data, name, "?kind=file")
    assert r.status_code == status
    page = r.get_data(as_text=True)
    assert 'class="field-error"' in page and message in page
    assert "Có sẵn.pdf" in page  # the library is shown again, with its filter
    assert '<option value="file" selected>' in page
    assert media_count() == 1


# ---------------------------------------------------------------- deletion


def test_delete_unused_document_removes_file_and_row(app, client, staff):
    answer = upload(client, make_pdf(), "Bỏ.pdf").get_json()
    path = stored(app, answer["url"])
    assert path.exists()
    r = client.post(f"/editor/media/{answer['id']}/delete")
    assert r.status_code == 303
    assert db.session.get(Media, answer["id"]) is None
    assert not path.exists()
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "media.delete"))
    assert "Đã xóa “Bỏ.pdf”." in client.get(r.headers["Location"]).get_data(as_text=True)


def test_delete_keeps_filters_and_a_page_that_exists(client, staff):
    items = add_media(staff, 25, MediaKind.FILE, "Tệp {i}.pdf")
    oldest = items[0]  # alone on page 2
    r = client.post(f"/editor/media/{oldest.id}/delete?page=2&kind=file")
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/editor/media?kind=file")


def _attachment(answer: dict) -> str:
    return (
        f'<div class="file-attachment"><a href="{answer["url"]}" data-type="pdf" '
        f'data-size="{answer["size"]}">{answer["name"]}</a><span class="file-meta">PDF, 1 KB'
        "</span></div>"
    )


def test_delete_refused_when_a_body_uses_the_document(app, client, staff, factory):
    answer = upload(client, make_pdf(), "Đang dùng.pdf").get_json()
    art = factory.article(title="Bài có tệp", body=_attachment(answer), published=False)
    r = client.post(f"/editor/media/{answer['id']}/delete")
    assert r.status_code == 409
    page = r.get_data(as_text=True)
    assert "đang được dùng" in page and "“Bài có tệp”" in page
    assert f'/editor/articles/{art.id}/edit">Bài có tệp</a>' in page
    assert db.session.get(Media, answer["id"]) is not None
    assert stored(app, answer["url"]).exists()


def test_delete_refused_when_an_image_is_a_cover(app, client, staff, factory):
    answer = upload(client, image_bytes("JPEG"), "Bìa.jpg", "image/jpeg").get_json()
    factory.article(title="Bài có ảnh bìa", cover_url=answer["url"])
    r = client.post(f"/editor/media/{answer['id']}/delete")
    assert r.status_code == 409 and "“Bài có ảnh bìa”" in r.get_data(as_text=True)
    page = client.get("/editor/media").get_data(as_text=True)
    assert "ảnh bìa</span>" in page


def test_delete_refused_when_only_an_old_revision_uses_it(app, client, staff, factory):
    doc = upload(client, make_pdf(), "Cũ.pdf").get_json()
    img = upload(client, image_bytes("PNG", (900, 500)), "Cũ.png", "image/png").get_json()
    art = factory.article(title="Bài đã sửa", body="<p>Bản mới không còn tệp.</p>")
    old_body = _attachment(doc) + f'<figure><img src="{img["sizes"]["320"]}" alt=""></figure>'
    db.session.add(ArticleRevision(article_id=art.id, number=1, title=art.title, body=old_body))
    db.session.commit()
    for item in (doc, img):
        r = client.post(f"/editor/media/{item['id']}/delete")
        assert r.status_code == 409
        assert "“Bài đã sửa” (phiên bản cũ)" in r.get_data(as_text=True)
        assert db.session.get(Media, item["id"]) is not None
    page = client.get("/editor/media").get_data(as_text=True)
    assert page.count("chỉ trong phiên bản cũ") == 2


def test_delete_refused_for_the_site_logo(client, staff, factory):
    answer = upload(client, image_bytes("PNG", (600, 200)), "Logo.png", "image/png").get_json()
    factory.settings(logo_url=answer["url"])
    r = client.post(f"/editor/media/{answer['id']}/delete")
    assert r.status_code == 409 and "logo trang" in r.get_data(as_text=True)


def test_delete_refused_while_an_autosave_holds_it(client, staff, factory):
    from bantin.clock import utcnow
    from bantin.models import ArticleAutosave

    answer = upload(client, make_pdf(), "Nháp.pdf").get_json()
    db.session.add(
        ArticleAutosave(
            user_id=staff.id, slot="new", title="Nháp", lead="", body=_attachment(answer),
            saved_at=utcnow(),
        )
    )  # fmt: skip
    db.session.commit()
    r = client.post(f"/editor/media/{answer['id']}/delete")
    assert r.status_code == 409 and "bản tự lưu" in r.get_data(as_text=True)


def test_usage_tells_items_apart(client, staff, factory):
    """One item's use never marks another (same month, different random names)."""
    from bantin import media

    first = upload(client, make_pdf(), "Một.pdf").get_json()
    second = upload(client, make_pdf(), "Hai.pdf").get_json()
    factory.article(title="Chỉ tệp một", body=_attachment(first))
    items = [db.session.get(Media, first["id"]), db.session.get(Media, second["id"])]
    found = media.usages(items)
    assert [a.title for a in found[first["id"]].articles] == ["Chỉ tệp một"]
    assert not found[second["id"]].in_use


def test_a_too_large_form_post_shows_no_library_to_strangers(client, staff):
    add_media(staff, 1, MediaKind.FILE, "Nội bộ.pdf")
    client.post("/logout")
    r = form_upload(client, make_pdf(padding=21 * MiB), "Lớn.pdf")
    assert r.status_code == 413
    assert "Nội bộ.pdf" not in r.get_data(as_text=True)
