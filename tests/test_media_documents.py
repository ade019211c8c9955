"""A library file that an official document lists is in use: deleting it is refused (409)
with the document's number, never a database error."""

from bantin import official_documents
from bantin.extensions import db
from bantin.models import Media, MediaKind, OfficialDocumentFile, TermKind


def test_a_file_listed_by_a_document_cannot_be_deleted(client, factory, login):
    login(factory.user("editor"))
    item = Media(path="/uploads/files/2026/01/abc.pdf", mime="application/pdf", kind=MediaKind.FILE)
    db.session.add(item)
    db.session.commit()
    term = official_documents.create_term(TermKind.TYPE, "Quyết định")
    doc = official_documents.save(
        None,
        None,
        {"number": "5/QĐ-UBND", "abstract": "Thử", "type_id": term.id, "issued_on": "2025-01-01"},
    )
    db.session.add(OfficialDocumentFile(document_id=doc.id, media_id=item.id))
    db.session.commit()
    response = client.post(f"/editor/media/{item.id}/delete")
    assert response.status_code == 409
    assert "văn bản 5/QĐ-UBND" in response.get_data(as_text=True)
    assert db.session.get(Media, item.id) is not None
