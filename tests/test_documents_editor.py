"""Official documents in the editor: the form, files, publishing, trash, revisions, the lists."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
import sqlalchemy as sa

from bantin import official_documents as service
from bantin.extensions import db
from bantin.models import (
    AuditLog,
    DocumentStatus,
    DocumentTerm,
    OfficialDocument,
    OfficialDocumentRevision,
    TermKind,
)
from bantin.official_documents_demo import make_pdf
from tests.test_documents import Docs


@pytest.fixture
def docs(app) -> Docs:
    return Docs()


@pytest.fixture
def editor(factory, login):
    user = factory.user("editor")
    login(user)
    return user


@pytest.fixture
def terms(docs):
    return {
        "qd": docs.term(TermKind.TYPE, "Quyết định"),
        "kh": docs.term(TermKind.TYPE, "Kế hoạch"),
        "xa": docs.term(TermKind.ISSUER, "UBND xã Hòa Phong"),
        "hc": docs.term(TermKind.FIELD, "Cải cách hành chính"),
    }


def form_data(terms, **overrides) -> dict:
    data = {
        "number": "15/2025/QĐ-UBND",
        "type_id": str(terms["qd"]),
        "issuer_id": str(terms["xa"]),
        "field_id": str(terms["hc"]),
        "issued_on": "2025-03-15",
        "effective_on": "",
        "signer": "Trần Quốc Bảo",
        "abstract": "Ban hành quy chế tiếp công dân",
        "legal_status": "in_force",
        "replaced_by_id": "",
        "status": "published",
    }
    data.update(overrides)
    return data


def only_document() -> OfficialDocument:
    return db.session.scalars(sa.select(OfficialDocument)).one()


# ---------------------------------------------------------------- access


@pytest.mark.parametrize(
    "path",
    ["/editor/documents", "/editor/documents/new", "/editor/documents/terms"],
)
def test_anonymous_goes_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.location


def test_anonymous_post_changes_nothing(client, terms):
    response = client.post("/editor/documents/new", data=form_data(terms))
    assert response.status_code == 302 and "/login" in response.location
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OfficialDocument)) == 0


def test_editor_and_admin_may_open_the_pages(client, editor, terms):
    for path in ("/editor/documents", "/editor/documents/new", "/editor/documents/terms"):
        assert client.get(path).status_code == 200, path


def test_every_documents_post_needs_the_csrf_token(app_factory, factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        docs = Docs()
        user = factory.user("editor")
        doc = docs.make()
        revision = db.session.scalars(sa.select(OfficialDocumentRevision)).first()
        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
        client.post(
            "/login",
            data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
        )
        for path, data in [
            ("/editor/documents/new", {"number": "1/X", "abstract": "Mới"}),
            (f"/editor/documents/{doc.id}/edit", {"number": "2/X", "abstract": "Đổi"}),
            (f"/editor/documents/{doc.id}/delete", {}),
            (f"/editor/documents/{doc.id}/restore", {}),
            (f"/editor/documents/{doc.id}/revisions/{revision.id}/restore", {}),
            ("/editor/documents/terms/type", {"type-name": "Mới"}),
            (f"/editor/documents/terms/{doc.type_id}/rename", {f"t{doc.type_id}-name": "Đổi"}),
            (f"/editor/documents/terms/{doc.type_id}/move", {"direction": "up"}),
            (f"/editor/documents/terms/{doc.issuer_id}/delete", {}),
        ]:
            assert client.post(path, data=data).status_code == 400, path
        db.session.refresh(doc)
        assert (doc.number, doc.status, doc.version) == (
            "15/2025/QĐ-UBND",
            DocumentStatus.PUBLISHED,
            1,
        )
        assert db.session.scalar(sa.select(sa.func.count()).select_from(DocumentTerm)) == 3


# ---------------------------------------------------------------- the form


def test_create_publish_and_show(client, editor, terms):
    response = client.post("/editor/documents/new", data=form_data(terms))
    assert response.status_code == 303
    doc = only_document()
    assert response.location.endswith(f"/editor/documents/{doc.id}/edit")
    assert doc.status == DocumentStatus.PUBLISHED and doc.published_at is not None
    assert doc.created_by_id == editor.id
    page = client.get(response.location).get_data(as_text=True)
    assert "Đã lưu và đăng văn bản." in page
    assert 'value="15/2025/QĐ-UBND"' in page
    assert client.get(f"/documents/{doc.id}/{doc.slug}").status_code == 200


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("number", "", "Hãy nhập số/ký hiệu văn bản"),
        ("type_id", "", "Hãy chọn loại văn bản."),
        ("type_id", "999", "Hãy chọn loại văn bản."),
        ("issuer_id", "abc", "Hãy chọn cơ quan ban hành trong danh sách."),
        ("issued_on", "", "Hãy nhập ngày ban hành."),
        ("issued_on", "2025-02-30", "Ngày không hợp lệ"),
        ("issued_on", "15/03/2025", "Ngày không hợp lệ"),
        ("effective_on", "2025-01-01", "Ngày có hiệu lực không thể trước ngày ban hành."),
        ("abstract", "", "Hãy nhập trích yếu"),
        ("legal_status", "replaced", "hãy chọn văn bản thay thế"),
        ("legal_status", "bogus", "Hãy chọn tình trạng hiệu lực."),
        ("status", "deleted", "Hãy chọn Bản nháp hoặc Đăng văn bản."),
        ("number", "x" * 101, "tối đa 100 ký tự"),
    ],
)
def test_bad_input_is_shown_by_the_field_and_kept(client, editor, terms, field, value, message):
    data = form_data(terms, **{field: value}, signer="Người ký đã gõ")
    response = client.post("/editor/documents/new", data=data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert message in body
    assert "Người ký đã gõ" in body
    assert db.session.scalar(sa.select(sa.func.count()).select_from(OfficialDocument)) == 0


def test_duplicate_number_is_a_field_error(client, editor, terms, docs):
    docs.make()
    response = client.post("/editor/documents/new", data=form_data(terms, number="15/2025/qđ-ubnd"))
    assert response.status_code == 400
    assert "Đã có văn bản cùng loại mang số/ký hiệu này" in response.get_data(as_text=True)


def test_files_upload_order_and_remove(client, editor, terms):
    # Through the editor's upload endpoint, as the form's script does.
    ids = []
    for name in ("Quyết định.pdf", "Phụ lục.pdf"):
        answer = client.post(
            "/editor/uploads",
            data={"file": (io.BytesIO(make_pdf([name])), name)},
            content_type="multipart/form-data",
        )
        assert answer.status_code == 201
        ids.append(answer.get_json()["id"])
    data = form_data(terms, file_ids=[str(ids[1]), str(ids[0])])
    client.post("/editor/documents/new", data=data)
    doc = only_document()
    assert [f.media_id for f in doc.files] == [ids[1], ids[0]]
    edit = client.get(f"/editor/documents/{doc.id}/edit").get_data(as_text=True)
    assert edit.index("Phụ lục.pdf") < edit.index("Quyết định.pdf")
    data = form_data(terms, file_ids=[str(ids[0])], version=str(doc.version))
    assert client.post(f"/editor/documents/{doc.id}/edit", data=data).status_code == 303
    db.session.refresh(doc)
    assert [f.media_id for f in doc.files] == [ids[0]]


def test_files_posted_with_the_form_without_javascript(client, editor, terms):
    data = form_data(terms)
    data["upload"] = [(io.BytesIO(make_pdf(["a"])), "Tờ trình.pdf")]
    response = client.post("/editor/documents/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 303
    doc = only_document()
    assert [f.media.original_name for f in doc.files] == ["Tờ trình.pdf"]


def test_a_refused_file_is_named_and_the_rest_kept(client, editor, terms):
    data = form_data(terms)
    data["upload"] = [(io.BytesIO(b"MZ not a document"), "virus.pdf")]
    response = client.post("/editor/documents/new", data=data, content_type="multipart/form-data")
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    assert "virus.pdf" in body and "Ban hành quy chế tiếp công dân" in body


def test_pick_a_file_from_the_library_without_javascript(client, editor, terms, docs):
    pdf = docs.pdf("Có sẵn.pdf")
    data = form_data(terms, file_ids=["", str(pdf.id)])
    assert client.post("/editor/documents/new", data=data).status_code == 303
    assert [f.media_id for f in only_document().files] == [pdf.id]


def test_bad_file_ids_are_refused(client, editor, terms):
    response = client.post("/editor/documents/new", data=form_data(terms, file_ids=["1e3"]))
    assert response.status_code == 400
    assert "Danh sách tệp không hợp lệ" in response.get_data(as_text=True)


def test_optimistic_version_check(client, editor, terms, docs):
    doc = docs.make()
    stale = str(doc.version)
    ok = client.post(
        f"/editor/documents/{doc.id}/edit",
        data=form_data(terms, version=stale, signer="Người A"),
    )
    assert ok.status_code == 303
    conflict = client.post(
        f"/editor/documents/{doc.id}/edit",
        data=form_data(terms, version=stale, signer="Người B"),
    )
    assert conflict.status_code == 409
    body = conflict.get_data(as_text=True)
    assert "Người B" in body and "Trong lúc bạn sửa" in body
    db.session.refresh(doc)
    assert doc.signer == "Người A"


def test_replaced_by_from_the_form(client, editor, terms, docs):
    new = docs.make()
    old = docs.make(number="09/2023/QĐ-UBND", abstract="Quy chế cũ")
    data = form_data(
        terms,
        number=old.number,
        abstract=old.abstract,
        legal_status="replaced",
        replaced_by_id=str(new.id),
        version=str(old.version),
    )
    assert client.post(f"/editor/documents/{old.id}/edit", data=data).status_code == 303
    db.session.refresh(old)
    assert old.replaced_by_id == new.id
    self_ref = form_data(
        terms,
        number=old.number,
        abstract=old.abstract,
        legal_status="replaced",
        replaced_by_id=str(old.id),
        version=str(old.version),
    )
    response = client.post(f"/editor/documents/{old.id}/edit", data=self_ref)
    assert response.status_code == 400


# ---------------------------------------------------------------- trash and revisions


def test_trash_and_restore(client, editor, docs):
    doc = docs.make()
    assert client.post(f"/editor/documents/{doc.id}/delete").status_code == 303
    db.session.refresh(doc)
    assert doc.status == DocumentStatus.DELETED
    assert client.get(f"/documents/{doc.id}/{doc.slug}").status_code == 404
    listing = client.get("/editor/documents?status=deleted").get_data(as_text=True)
    assert doc.number in listing
    assert doc.number not in client.get("/editor/documents").get_data(as_text=True)
    assert client.post(f"/editor/documents/{doc.id}/restore").status_code == 303
    db.session.refresh(doc)
    assert doc.status == DocumentStatus.DRAFT
    actions = db.session.scalars(sa.select(AuditLog.action)).all()
    assert "document.delete" in actions and "document.restore" in actions


def test_revisions_list_view_and_restore(client, editor, terms, docs):
    doc = docs.make()
    client.post(
        f"/editor/documents/{doc.id}/edit",
        data=form_data(terms, version=str(doc.version), abstract="Trích yếu đã sửa"),
    )
    db.session.refresh(doc)
    assert doc.abstract == "Trích yếu đã sửa"
    revisions = db.session.scalars(
        sa.select(OfficialDocumentRevision)
        .where(OfficialDocumentRevision.document_id == doc.id)
        .order_by(OfficialDocumentRevision.number)
    ).all()
    assert [r.number for r in revisions] == [1, 2]
    listing = client.get(f"/editor/documents/{doc.id}/revisions").get_data(as_text=True)
    assert "Trích yếu" in listing
    one = client.get(f"/editor/documents/{doc.id}/revisions/{revisions[0].id}")
    assert "Ban hành quy chế tiếp công dân" in one.get_data(as_text=True)
    restore = client.post(f"/editor/documents/{doc.id}/revisions/{revisions[0].id}/restore")
    assert restore.status_code == 303
    db.session.refresh(doc)
    assert doc.abstract == "Ban hành quy chế tiếp công dân"
    assert (
        db.session.scalar(
            sa.select(sa.func.max(OfficialDocumentRevision.number)).where(
                OfficialDocumentRevision.document_id == doc.id
            )
        )
        == 3
    )
    other = docs.make(number="1/KH", type_name="Kế hoạch")
    wrong = f"/editor/documents/{other.id}/revisions/{revisions[0].id}"
    assert client.get(wrong).status_code == 404


def test_editor_list_filters(client, editor, docs):
    docs.make()
    docs.make(number="2/KH-UBND", abstract="Kế hoạch nháp", type_name="Kế hoạch", published=False)
    body = client.get("/editor/documents?status=draft").get_data(as_text=True)
    assert "2/KH-UBND" in body and "15/2025/QĐ-UBND" not in body
    body = client.get("/editor/documents?q=tiep+cong").get_data(as_text=True)
    assert "15/2025/QĐ-UBND" in body and "2/KH-UBND" not in body
    assert client.get("/editor/documents?status=zzz&type=x").status_code == 200


# ---------------------------------------------------------------- the three lists


def test_terms_add_rename_reorder_delete(client, editor):
    response = client.post(
        "/editor/documents/terms/type", data={"type-name": "Nghị quyết", "type-name_en": "Res"}
    )
    assert response.status_code == 303
    client.post("/editor/documents/terms/type", data={"type-name": "Quyết định"})
    duplicate = client.post("/editor/documents/terms/type", data={"type-name": "nghi quyet"})
    assert duplicate.status_code == 400
    assert "Tên này đã có trong danh sách." in duplicate.get_data(as_text=True)
    empty = client.post("/editor/documents/terms/field", data={"field-name": ""})
    assert empty.status_code == 400 and "Hãy nhập tên." in empty.get_data(as_text=True)
    first, second = service.terms(TermKind.TYPE)
    client.post(f"/editor/documents/terms/{second.id}/move", data={"direction": "up"})
    assert [t.name for t in service.terms(TermKind.TYPE)] == ["Quyết định", "Nghị quyết"]
    assert (
        client.post(
            f"/editor/documents/terms/{second.id}/move", data={"direction": "x"}
        ).status_code
        == 400
    )
    client.post(
        f"/editor/documents/terms/{first.id}/rename",
        data={f"t{first.id}-name": "Nghị quyết HĐND", f"t{first.id}-name_en": "Resolution"},
    )
    db.session.refresh(first)
    assert (first.name, first.name_en) == ("Nghị quyết HĐND", "Resolution")
    assert client.post(f"/editor/documents/terms/{first.id}/delete").status_code == 303
    assert [t.name for t in service.terms(TermKind.TYPE)] == ["Quyết định"]
    assert client.post("/editor/documents/terms/bogus", data={}).status_code == 404


def test_a_term_in_use_cannot_be_deleted(client, editor, docs):
    doc = docs.make()
    service.move_to_trash(doc, None)
    db.session.commit()
    term_id = doc.type_id
    response = client.post(f"/editor/documents/terms/{term_id}/delete")
    assert response.status_code == 409
    body = response.get_data(as_text=True)
    assert "Không xóa được “Quyết định” vì còn 1 văn bản" in body
    assert db.session.get(DocumentTerm, term_id) is not None


def test_public_list_offers_terms_in_their_order(client, docs):
    docs.make(issued_on=date(2024, 1, 1))
    a = docs.term(TermKind.TYPE, "A loại")
    service.move_term(db.session.get(DocumentTerm, a), "up")
    db.session.commit()
    body = client.get("/documents").get_data(as_text=True)
    assert body.index("A loại") < body.index(">Quyết định<")
    assert '<option value="2024">2024</option>' in body


def test_every_documents_route_answers_without_server_error(app, client, editor, docs):
    doc = docs.make()
    revision = db.session.scalars(sa.select(OfficialDocumentRevision)).first()
    ids = {"document_id": doc.id, "revision_id": revision.id, "term_id": doc.type_id}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("editor.document"):
            continue
        values = {name: ids.get(name, "type") for name in rule.arguments}
        path = rule.build(values)[1]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(path, method=method, data={})
            assert response.status_code < 500, (method, path)
            if method == "GET":
                assert response.status_code == 200, path


def test_preview_shows_a_draft_to_staff_only(client, editor, docs):
    doc = docs.make(published=False)
    response = client.get(f"/editor/documents/{doc.id}/preview")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "Bản xem trước" in body and "Bản nháp" in body and doc.abstract in body
    assert 'content="noindex, nofollow"' in body
    assert client.get(f"/documents/{doc.id}/{doc.slug}").status_code == 404
    client.post("/logout")
    anonymous = client.get(f"/editor/documents/{doc.id}/preview")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
