"""The office's replies under readers' comments, and corrections of a comment's text."""

import re
from html import unescape

import pytest
import sqlalchemy as sa

from bantin import audit
from bantin.extensions import db
from bantin.models import AuditLog, Comment, CommentStatus
from tests.comment_helpers import article_url, make_comment
from tests.conftest import Factory

P, A = CommentStatus.PENDING, CommentStatus.APPROVED
REPLY = "Cảm ơn bạn đã góp ý.\nXã sẽ sửa đường trong tháng 12."


@pytest.fixture
def editor(factory, login):
    user = factory.user("editor")
    login(user)
    return user


def reply(client, comment, text, **form):
    return client.post(f"/editor/comments/{comment.id}/reply", data={"reply": text, **form})


def reply_box(html: str) -> str | None:
    match = re.search(r'<section class="comment-reply".*?</section>', html, re.S)
    return unescape(match.group(0)) if match else None


def audit_rows(action: str) -> list[AuditLog]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action)))


def reload(comment) -> Comment:
    db.session.expire_all()
    return db.session.get(Comment, comment.id)


def test_reply_is_shown_under_the_approved_comment_edited_and_removed(client, factory, editor):
    art = factory.article()
    comment = make_comment(art, A, content="Đường thôn Đông hỏng nặng.")
    # The page is cached before the reply: the reply must show on the next request.
    assert reply_box(client.get(article_url(art)).get_data(as_text=True)) is None

    response = reply(client, comment, REPLY, status="approved")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/editor/comments?status=approved#comment-{comment.id}"
    )
    html = client.get(article_url(art)).get_data(as_text=True)
    box = reply_box(html)
    assert box is not None
    assert "Trả lời của ban biên tập" in box
    assert "Cảm ơn bạn đã góp ý.<br>Xã sẽ sửa đường trong tháng 12." in box
    # Under its comment, inside the comment's own <article>.
    assert html.index("Đường thôn Đông hỏng nặng.") < html.index("comment-reply")
    stored = reload(comment)
    assert stored.reply == REPLY and stored.reply_by_id == editor.id
    assert stored.replied_at is not None and stored.reply_updated_at is None
    [created] = audit_rows("comment.reply_create")
    assert created.target_id == comment.id and REPLY in created.detail

    assert reply(client, comment, "Xã đã sửa xong đoạn đường.").status_code == 303
    box = reply_box(client.get(article_url(art)).get_data(as_text=True))
    assert "Xã đã sửa xong đoạn đường." in box and "tháng 12" not in box
    assert reload(comment).reply_updated_at is not None
    [edited] = audit_rows("comment.reply_edit")
    assert "old reply: " + REPLY in edited.detail

    response = client.post(f"/editor/comments/{comment.id}/reply/delete")
    assert response.status_code == 303
    assert reply_box(client.get(article_url(art)).get_data(as_text=True)) is None
    assert reload(comment).reply == ""
    [deleted] = audit_rows("comment.reply_delete")
    assert "Xã đã sửa xong đoạn đường." in deleted.detail


def test_reply_is_plain_text(client, factory, editor):
    art = factory.article()
    comment = make_comment(art, A)
    reply(client, comment, "<script>alert(1)</script> <b>đậm</b>")
    html = client.get(article_url(art)).get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<b>đậm</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_pending_comments_reply_waits_for_approval(client, factory, editor):
    art = factory.article()
    comment = make_comment(art, P, content="Ý kiến chờ duyệt về đường.")
    assert reply(client, comment, REPLY, status="pending").status_code == 303
    html = client.get(article_url(art)).get_data(as_text=True)
    assert "Ý kiến chờ duyệt" not in html and reply_box(html) is None
    client.post(f"/editor/comments/{comment.id}/approve")
    assert reply_box(client.get(article_url(art)).get_data(as_text=True)) is not None


def test_the_queue_shows_the_reply_and_its_forms(client, factory, editor):
    art = factory.article()
    comment = make_comment(art, A)
    reply(client, comment, REPLY)
    html = client.get("/editor/comments?status=approved").get_data(as_text=True)
    assert f'id="reply-form-{comment.id}"' in html and f'id="edit-form-{comment.id}"' in html
    assert f'form="reply-form-{comment.id}"' in html
    assert "Sửa trả lời" in html and "Xóa trả lời" in html
    assert "Cảm ơn bạn đã góp ý." in html


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Vui lòng nhập nội dung trả lời."),
        ("x" * 4001, "Tối đa 4.000 ký tự"),
        ("có ký tự \x07 lạ", "ký tự điều khiển"),
    ],
)
def test_a_refused_reply_keeps_the_typed_text(client, factory, editor, text, message):
    art = factory.article()
    comment = make_comment(art, A)
    response = reply(client, comment, text, status="approved")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in unescape(html)
    assert re.search(r'<details class="c-tool c-tool-reply" open>', html)
    if text.strip() and "\x07" not in text:
        assert text in html
    assert reload(comment).reply == ""
    assert audit_rows("comment.reply_create") == []


def test_unknown_comment_is_404(client, editor):
    assert reply(client, type("C", (), {"id": 999999})(), REPLY).status_code == 404
    assert client.post("/editor/comments/999999/edit", data={"content": "abc"}).status_code == 404
    assert client.post("/editor/comments/999999/reply/delete").status_code == 404


def test_comment_edit_keeps_the_original_in_the_audit_log(app, client, factory, editor):
    art = factory.article()
    original = "Đường thôn Đông hõng nặng, đề nghi sửa."
    comment = make_comment(art, A, content=original)
    client.get(article_url(art))  # cached
    response = client.post(
        f"/editor/comments/{comment.id}/edit",
        data={"content": "Đường thôn Đông hỏng nặng, đề nghị sửa.", "status": "approved"},
    )
    assert response.status_code == 303
    html = client.get(article_url(art)).get_data(as_text=True)
    assert "Đường thôn Đông hỏng nặng, đề nghị sửa." in html and original not in html
    [row] = audit_rows("comment.edit")
    assert row.target_id == comment.id and row.user_id == editor.id
    assert "original: " + original in row.detail
    with app.test_request_context():
        assert audit.label("comment.edit") == "Sửa nội dung ý kiến bạn đọc"


def test_a_long_original_is_kept_whole(client, factory, editor):
    art = factory.article()
    original = "Ý kiến dài. " * 330  # ~4,000 characters
    comment = make_comment(art, P, content=original.strip())
    client.post(f"/editor/comments/{comment.id}/edit", data={"content": "Ngắn gọn lại."})
    [row] = audit_rows("comment.edit")
    assert original.strip() in row.detail


def test_comment_edit_refused_keeps_the_text(client, factory, editor):
    art = factory.article()
    comment = make_comment(art, P, content="Nội dung cũ")
    response = client.post(f"/editor/comments/{comment.id}/edit", data={"content": "x"})
    assert response.status_code == 400
    html = unescape(response.get_data(as_text=True))
    assert "Nội dung cần ít nhất 2 ký tự." in html
    assert re.search(r'<details class="c-tool c-tool-edit" open>', html)
    assert reload(comment).content == "Nội dung cũ"


def test_contributors_and_readers_may_not_reply(app, client, factory, login):
    art = factory.article()
    comment = make_comment(art, A)
    assert reply(client, comment, REPLY).status_code in (302, 303)  # sign in first
    login(factory.user("contributor"))
    assert reply(client, comment, REPLY).status_code == 403
    assert (
        client.post(f"/editor/comments/{comment.id}/edit", data={"content": "abc"}).status_code
        == 403
    )
    assert client.post(f"/editor/comments/{comment.id}/reply/delete").status_code == 403
    assert reload(comment).reply == ""


def test_reply_posts_need_csrf_when_csrf_is_on(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make = Factory()
        art = make.article()
        comment = make_comment(art, A)
        user = make.user("editor")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        html = client.get("/editor/comments?status=approved").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        assert reply(client, comment, REPLY).status_code == 400
        assert (
            client.post(f"/editor/comments/{comment.id}/edit", data={"content": "abc"}).status_code
            == 400
        )
        assert reload(comment).reply == ""
        assert reply(client, comment, REPLY, csrf_token=token).status_code == 303
        assert reload(comment).reply == REPLY
