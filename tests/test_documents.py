"""Official documents (văn bản): the service, the public list and page, files, the feed."""

from __future__ import annotations

import html
import io
import re
import xml.etree.ElementTree as ET
from datetime import date, timedelta

import feedparser
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bantin import documents as attachments
from bantin import official_documents as service
from bantin.extensions import db
from bantin.models import (
    AuditLog,
    DocumentStatus,
    DocumentTerm,
    LegalStatus,
    OfficialDocument,
    OfficialDocumentRevision,
    TermKind,
)
from bantin.official_documents_demo import make_pdf
from bantin.text import fold


class Docs:
    """Builders for documents: terms by name, documents through the service."""

    def __init__(self) -> None:
        self.terms: dict[tuple[TermKind, str], int] = {}

    def term(self, kind: TermKind, name: str) -> int:
        key = (kind, name)
        if key not in self.terms:
            self.terms[key] = service.create_term(kind, name).id
            db.session.commit()
        return self.terms[key]

    def pdf(self, name: str = "van-ban.pdf", text: str = "Van ban"):
        item = attachments.store_document(make_pdf([text]), name, None)
        db.session.commit()
        return item

    def make(
        self,
        number: str = "15/2025/QĐ-UBND",
        abstract: str = "Ban hành quy chế tiếp công dân",
        type_name: str = "Quyết định",
        issuer: str | None = "UBND xã Hòa Phong",
        field: str | None = "Cải cách hành chính",
        issued_on: date = date(2025, 3, 15),
        published: bool = True,
        files: list | None = None,
        **extra,
    ) -> OfficialDocument:
        changes = {
            "number": number,
            "abstract": abstract,
            "type_id": self.term(TermKind.TYPE, type_name),
            "issuer_id": self.term(TermKind.ISSUER, issuer) if issuer else None,
            "field_id": self.term(TermKind.FIELD, field) if field else None,
            "issued_on": issued_on,
            "signer": "Trần Quốc Bảo",
            "status": (DocumentStatus.PUBLISHED if published else DocumentStatus.DRAFT).value,
            "file_ids": [f.id for f in files or []],
            **extra,
        }
        doc = service.save(None, None, changes)
        db.session.commit()
        return doc


@pytest.fixture
def docs(app) -> Docs:
    return Docs()


def numbers(response) -> list[str]:
    return re.findall(r'class="doc-number"[^>]*>([^<]*)<', response.get_data(as_text=True))


def url(doc: OfficialDocument) -> str:
    return f"/documents/{doc.id}/{doc.slug}"


# ---------------------------------------------------------------- the service


def test_save_derives_slug_and_folded_text_and_a_revision(docs):
    doc = docs.make()
    assert doc.slug == "15-2025-qd-ubnd-ban-hanh-quy-che-tiep-cong-dan"
    assert doc.folded == " 15 2025 qd ubnd ban hanh quy che tiep cong dan "
    revisions = db.session.scalars(
        sa.select(OfficialDocumentRevision).where(OfficialDocumentRevision.document_id == doc.id)
    ).all()
    assert [r.number for r in revisions] == [1]
    assert service.revision_data(revisions[0])["number"] == "15/2025/QĐ-UBND"
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-2:] == ["document.create", "document.publish"]


def test_folded_text_follows_every_save(docs):
    doc = docs.make()
    service.save(doc, None, {"abstract": "Về việc Đổi tên đường"})
    db.session.commit()
    assert doc.folded == " 15 2025 qd ubnd ve viec doi ten duong "
    assert doc.slug.endswith("ve-viec-doi-ten-duong")


def test_duplicate_number_of_same_type_is_refused_case_and_marks_aside(docs):
    docs.make()
    with pytest.raises(service.InvalidChange):
        docs.make(number="15/2025/qđ-ubnd")
    db.session.rollback()
    other = docs.make(number="15/2025/QĐ-UBND", type_name="Kế hoạch")  # another type: fine
    assert other.id


def test_replacement_is_linked_both_ways(docs, client):
    new = docs.make(number="15/2025/QĐ-UBND", abstract="Quy chế mới")
    old = docs.make(
        number="09/2023/QĐ-UBND",
        abstract="Quy chế cũ",
        replaced_by_id=new.id,
        issued_on=date(2023, 1, 5),
    )
    assert old.legal_status == LegalStatus.REPLACED
    page_old = client.get(url(old)).get_data(as_text=True)
    page_new = client.get(url(new)).get_data(as_text=True)
    assert "Được thay thế bởi" in page_old and url(new) in page_old
    assert "Thay thế" in page_new and url(old) in page_new


def test_replaced_needs_the_replacing_document(docs):
    with pytest.raises(service.InvalidChange):
        docs.make(legal_status=LegalStatus.REPLACED.value)


def test_unknown_file_ids_are_refused(docs):
    with pytest.raises(service.InvalidChange):
        docs.make(file_ids=[987654])


# ---------------------------------------------------------------- the public list


@pytest.fixture
def archive(docs):
    made = {
        "qd15": docs.make(),
        "qd150": docs.make(
            number="150/2025/QĐ-UBND",
            abstract="Phê duyệt kế hoạch đất đai",
            field="Đất đai",
            issued_on=date(2025, 6, 1),
        ),
        "kh": docs.make(
            number="142/KH-UBND",
            abstract="Sản xuất vụ lúa Đông Xuân",
            type_name="Kế hoạch",
            field="Nông nghiệp",
            issued_on=date(2026, 1, 10),
        ),
        "cv": docs.make(
            number="1256/UBND-VP",
            abstract="Đẩy mạnh dịch vụ công trực tuyến",
            type_name="Công văn",
            issuer="UBND huyện Thăng Bình Tây",
            issued_on=date(2024, 11, 2),
        ),
        "draft": docs.make(
            number="99/TB-UBND", abstract="Bản nháp", type_name="Thông báo", published=False
        ),
    }
    return made


def test_list_is_newest_issued_first_and_hides_drafts(client, archive):
    response = client.get("/documents")
    assert response.status_code == 200
    assert numbers(response) == [
        "142/KH-UBND",
        "150/2025/QĐ-UBND",
        "15/2025/QĐ-UBND",
        "1256/UBND-VP",
    ]


@pytest.mark.parametrize(
    "q, expected",
    [
        ("15/2025", ["15/2025/QĐ-UBND"]),
        ("15/2025/QĐ-UBND", ["15/2025/QĐ-UBND"]),
        ("15/2025/qd-ubnd", ["15/2025/QĐ-UBND"]),
        ("qd ubnd 15", ["15/2025/QĐ-UBND"]),
        ("QĐ-UBND", ["150/2025/QĐ-UBND", "15/2025/QĐ-UBND"]),
        ("tiep cong dan", ["15/2025/QĐ-UBND"]),
        ("TIẾP CÔNG", ["15/2025/QĐ-UBND"]),
        ("dong xuan", ["142/KH-UBND"]),
        ("dich vu", ["1256/UBND-VP"]),
        ("1256", ["1256/UBND-VP"]),
        ("không có gì", []),
        ("%", ["142/KH-UBND", "150/2025/QĐ-UBND", "15/2025/QĐ-UBND", "1256/UBND-VP"]),
        ("ban nhap", []),
    ],
)
def test_q_matches_number_with_or_without_code_and_abstract_without_marks(
    client, archive, q, expected
):
    assert numbers(client.get("/documents", query_string={"q": q})) == expected


def test_leading_zeros_do_not_matter(client, docs):
    docs.make(number="09/2023/QĐ-UBND", abstract="Quy chế cũ")
    assert numbers(client.get("/documents?q=9/2023")) == ["09/2023/QĐ-UBND"]


def test_filters_by_type_issuer_field_year_and_combined(client, archive, docs):
    qd = docs.terms[(TermKind.TYPE, "Quyết định")]
    huyen = docs.terms[(TermKind.ISSUER, "UBND huyện Thăng Bình Tây")]
    xa = docs.terms[(TermKind.ISSUER, "UBND xã Hòa Phong")]
    dat = docs.terms[(TermKind.FIELD, "Đất đai")]
    assert numbers(client.get(f"/documents?type={qd}")) == ["150/2025/QĐ-UBND", "15/2025/QĐ-UBND"]
    assert numbers(client.get(f"/documents?issuer={huyen}")) == ["1256/UBND-VP"]
    assert numbers(client.get(f"/documents?field={dat}")) == ["150/2025/QĐ-UBND"]
    assert numbers(client.get("/documents?year=2026")) == ["142/KH-UBND"]
    assert numbers(client.get(f"/documents?type={qd}&year=2025&field={dat}")) == [
        "150/2025/QĐ-UBND"
    ]
    assert numbers(client.get(f"/documents?issuer={xa}&q=quy+che")) == ["15/2025/QĐ-UBND"]
    assert numbers(client.get(f"/documents?type={qd}&year=2024")) == []


def test_filter_form_keeps_the_chosen_values(client, archive, docs):
    qd = docs.terms[(TermKind.TYPE, "Quyết định")]
    body = client.get(f"/documents?type={qd}&year=2025&q=quy").get_data(as_text=True)
    assert f'<option value="{qd}" selected>' in body
    assert '<option value="2025" selected>' in body
    assert 'name="q" value="quy"' in body


@pytest.mark.parametrize(
    "query",
    [
        "type=abc",
        "issuer=-1",
        "field=1e3",
        "type=１",
        "year=20",
        "year=abcd",
        "year=1800",
        "year=99999",
        "type=12345678901234567890",
    ],
)
def test_malformed_filters_answer_400(client, archive, query):
    assert client.get(f"/documents?{query}").status_code == 400


@pytest.mark.parametrize("query", ["type=999999", "issuer=888888", "field=777777", "type="])
def test_unknown_term_ids_are_ignored(client, archive, query):
    response = client.get(f"/documents?{query}")
    assert response.status_code == 200
    assert len(numbers(response)) == 4


def test_long_and_odd_queries_never_500(client, archive):
    for q in ["x" * 5000, "'; DROP TABLE x;--", "\\", "_", "%%", "đ" * 300]:
        assert client.get("/documents", query_string={"q": q}).status_code == 200


def test_paging_20_a_page(client, docs):
    for n in range(1, 24):
        docs.make(
            number=f"{n}/TB-UBND",
            abstract=f"Thông báo số {n}",
            type_name="Thông báo",
            issued_on=date(2025, 1, 1) + timedelta(days=n),
        )
    first = client.get("/documents")
    assert len(numbers(first)) == 20 and numbers(first)[0] == "23/TB-UBND"
    second = client.get("/documents?page=2")
    assert numbers(second) == ["3/TB-UBND", "2/TB-UBND", "1/TB-UBND"]
    assert client.get("/documents?page=3").status_code == 404
    assert client.get("/documents?page=x").status_code == 404
    # Paging keeps the filters.
    body = client.get("/documents?q=thong+bao").get_data(as_text=True)
    assert "/documents?page=2&amp;q=thong+bao" in body or "q=thong+bao&amp;page=2" in body


# ---------------------------------------------------------------- the document page


def test_document_page_301_and_404(client, archive):
    doc = archive["qd15"]
    assert client.get(url(doc)).status_code == 200
    for wrong in (f"/documents/{doc.id}", f"/documents/{doc.id}/sai-duong-dan"):
        response = client.get(wrong)
        assert response.status_code == 301
        assert response.location.endswith(url(doc))
    draft = archive["draft"]
    assert client.get(url(draft)).status_code == 404
    assert client.get(f"/documents/{draft.id}").status_code == 404
    assert client.get("/documents/999999/x").status_code == 404
    assert client.get("/documents/99999999999999999999999").status_code == 404


def test_trashed_document_is_404(client, archive):
    doc = archive["qd15"]
    service.move_to_trash(doc, None)
    db.session.commit()
    assert client.get(url(doc)).status_code == 404
    assert "15/2025/QĐ-UBND" not in numbers(client.get("/documents"))


def test_document_page_shows_metadata_and_related(client, archive):
    body = client.get(url(archive["qd15"])).get_data(as_text=True)
    for text in (
        "15/2025/QĐ-UBND",
        "Quyết định",
        "UBND xã Hòa Phong",
        "Cải cách hành chính",
        "15/03/2025",
        "Trần Quốc Bảo",
        "Còn hiệu lực",
        "In văn bản",
    ):
        assert text in body
    assert 'rel="canonical"' in body
    # The related list: same field.
    other = archive["cv"]
    assert url(other) in body


def test_print_view(client, archive):
    doc = archive["qd15"]
    body = client.get(url(doc) + "?print=1").get_data(as_text=True)
    assert "print-hint" in body
    redirect = client.get(f"/documents/{doc.id}?print=1")
    assert redirect.status_code == 301 and redirect.location.endswith(url(doc) + "?print=1")


def test_files_download_and_pdf_inline_view(client, docs):
    pdf = docs.pdf("Quyết định 15.pdf")
    doc = docs.make(files=[pdf])
    body = client.get(url(doc)).get_data(as_text=True)
    row = doc.files[0]
    view = f"/documents/{doc.id}/files/{row.id}/view"
    assert view in body and pdf.path in body
    response = client.get(view)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert (
        "filename*=UTF-8''Quy%E1%BA%BFt%20%C4%91%E1%BB%8Bnh%2015.pdf"
        in response.headers["Content-Disposition"]
    )
    assert response.headers["Content-Security-Policy"] == "sandbox; default-src 'none'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.data.startswith(b"%PDF-")
    response.close()
    download = client.get(pdf.path)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    download.close()
    # Another document's file, or a draft's, is not served here.
    assert client.get(f"/documents/{doc.id}/files/{row.id + 1000}/view").status_code == 404
    service.save(doc, None, {"status": "draft"})
    db.session.commit()
    assert client.get(view).status_code == 404


def test_only_pdfs_open_inline(client, docs, app):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    docx = attachments.store_document(buffer.getvalue(), "bao-cao.docx", None)
    db.session.commit()
    doc = docs.make(files=[docx])
    body = client.get(url(doc)).get_data(as_text=True)
    assert "/view" not in body and docx.path in body
    assert client.get(f"/documents/{doc.id}/files/{doc.files[0].id}/view").status_code == 404


# ---------------------------------------------------------------- the feed


def test_feed_lists_published_documents_and_parses(client, archive, docs):
    docs.make(number="5/TB-UBND", abstract='Lịch <b>trực</b> & "tết"', type_name="Thông báo")
    response = client.get("/documents/feed.xml")
    assert response.status_code == 200
    assert response.mimetype == "application/rss+xml"
    parsed = feedparser.parse(response.data)
    assert not parsed.bozo, parsed.bozo_exception
    links = [e.link for e in parsed.entries]
    assert any(link.endswith(url(archive["qd15"])) for link in links)
    assert not any("99-tb-ubnd" in link for link in links)  # the draft
    channel = ET.fromstring(response.data).find("channel")
    for item in channel.findall("item"):
        for tag in ("title", "description"):
            text = item.findtext(tag)
            assert "<" not in text and '"' not in text
    hostile = [i for i in channel.findall("item") if "5/TB-UBND" in i.findtext("title")][0]
    assert html.unescape(hostile.findtext("description")) == 'Lịch <b>trực</b> & "tết"'


# ---------------------------------------------------------------- seed and helpers


def test_seed_demo_fills_an_empty_site_once(app, client):
    assert service.seed_demo() == 12
    db.session.commit()
    assert service.seed_demo() == 0
    docs_ = db.session.scalars(sa.select(OfficialDocument)).all()
    assert len(docs_) == 12
    assert any(d.legal_status == LegalStatus.EXPIRED for d in docs_)
    replaced = [d for d in docs_ if d.legal_status == LegalStatus.REPLACED]
    assert len(replaced) == 1 and replaced[0].replaced_by_id
    assert all(d.files for d in docs_)
    assert len({d.issued_on.year for d in docs_}) >= 2
    assert len({d.type_id for d in docs_}) >= 5
    first = docs_[0]
    response = client.get(f"/documents/{first.id}/files/{first.files[0].id}/view")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-1.4")
    assert attachments.check(response.data, "x.pdf").ext == "pdf"
    response.close()
    assert len(numbers(client.get("/documents"))) == 12


def test_searchable_fields(docs):
    doc = docs.make()
    title, lead, body = service.searchable_fields(doc)
    assert title == "Quyết định 15/2025/QĐ-UBND"
    assert lead == "Ban hành quy chế tiếp công dân"
    assert "UBND xã Hòa Phong" in body and "Trần Quốc Bảo" in body


def test_make_pdf_is_a_valid_pdf():
    data = make_pdf(["Quyết định (thử) \\ số 1"])
    assert data.startswith(b"%PDF-1.4") and data.rstrip().endswith(b"%%EOF")
    start = int(data.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert data[start:].startswith(b"xref")


def test_english_interface_shows_english_term_names(client, docs):
    doc = docs.make()
    term = db.session.get(DocumentTerm, doc.type_id)
    term.name_en = "Decision"
    db.session.commit()
    client.set_cookie("lang", "en")
    body = client.get(url(doc)).get_data(as_text=True)
    assert "Decision 15/2025/QĐ-UBND" in body
    listing = client.get("/documents").get_data(as_text=True)
    assert ">Decision</option>" in listing
    client.set_cookie("lang", "vi")
    assert "Quyết định 15/2025/QĐ-UBND" in client.get(url(doc)).get_data(as_text=True)


def test_documents_holding_a_file(docs):
    pdf = docs.pdf()
    doc = docs.make(files=[pdf])
    assert service.documents_with_file(pdf.id) == [doc]
    assert service.documents_with_file(pdf.id + 1) == []


# ---------------------------------------------------------------- properties

NUMBER_PARTS = st.text(alphabet="0123456789ĐđQqDdUBNDHKTVaăâêôơưếộ", min_size=1, max_size=6)


@given(
    parts=st.lists(NUMBER_PARTS, min_size=1, max_size=4),
    seps=st.lists(st.sampled_from(["/", "-", ".", " "]), min_size=3, max_size=3),
)
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_a_number_finds_its_document_however_it_is_typed(docs, parts, seps):
    number = parts[0] + "".join(sep + part for sep, part in zip(seps, parts[1:], strict=False))
    type_id = docs.term(TermKind.TYPE, "Quyết định")
    doc = service.save(
        None,
        None,
        {
            "number": number,
            "abstract": "Trích yếu",
            "type_id": type_id,
            "issued_on": date(2025, 1, 1),
            "status": "published",
        },
    )
    try:
        for typed in (number, number.upper(), number.lower(), fold(number)):
            if not service.fold_words(typed):
                continue
            stmt = service.filtered(service.Filters(q=typed))
            assert doc.id in db.session.scalars(stmt.with_only_columns(OfficialDocument.id)).all()
        assert service.fold_words(service.fold_words(number)) == service.fold_words(number)
    finally:
        db.session.rollback()


def test_every_audit_code_the_service_records_has_a_label():
    import ast
    from pathlib import Path

    from bantin import audit

    source = Path(service.__file__).read_text("utf-8")
    codes = {
        node.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and node.value.startswith(("document.", "document_term."))
        and not node.value.endswith(".")
    }
    assert len(codes) >= 9, codes
    assert codes - set(audit.ACTIONS) == set()
