"""The moderation digest (issue 14 §3): each editor is mailed what waits for moderation, as
often as their profile says, only when something new arrived, never twice for one window,
delivered through the real SMTP server."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.mail import digest, send_due
from bantin.models import Comment, CommentStatus, MailMessage, Question, QuestionStatus, User
from tests.mail_server import parts


@pytest.fixture
def app(mail_app):
    return mail_app  # every test here runs with mail on (tests/conftest.py)


@pytest.fixture
def staff(factory):
    return {
        "editor": factory.user("editor", name="Biên Tập", email="btv@example.com"),
        "admin": factory.user("admin", name="Admin", email="admin@example.com", language="en"),
        "contributor": factory.user("contributor", email="ctv@example.com"),
        "quiet": factory.user("editor", email="quiet@example.com", digest="off"),
    }


def waiting_comment(factory, article, name="Nguyễn Văn A", content="Đường thôn 3 bị ngập."):
    comment = Comment(
        article_id=article.id, name=name, content=content, status=CommentStatus.PENDING
    )
    db.session.add(comment)
    db.session.commit()
    return comment


def waiting_question(title="Thủ tục cấp giấy chứng nhận quyền sử dụng đất"):
    question = Question(
        title=title, name="Trần Thị B", content="Cần giấy tờ gì?", status=QuestionStatus.PENDING
    )
    db.session.add(question)
    db.session.commit()
    return question


def queued() -> list[MailMessage]:
    return db.session.scalars(
        sa.select(MailMessage).where(MailMessage.template == "moderation_digest")
    ).all()


def test_moderators_get_one_digest_of_what_waits(app, factory, staff, smtp):
    article = factory.article(title="Làm đường giao thông")
    waiting_comment(factory, article)
    waiting_question()
    assert digest.queue_due() == 2
    db.session.commit()
    assert sorted(m.to_addr for m in queued()) == ["admin@example.com", "btv@example.com"]

    send_due()
    messages = smtp.inbox.wait_for(2)
    by_rcpt = {env[1][0]: msg for env, msg in zip(smtp.inbox.envelopes, messages, strict=True)}
    vi = by_rcpt["btv@example.com"]
    assert vi["Subject"] == "Chờ duyệt tại Bản tin: 1 bình luận, 1 câu hỏi"
    text, html = parts(vi)
    assert "Nguyễn Văn A, bài “Làm đường giao thông”: Đường thôn 3 bị ngập." in text
    assert "Trần Thị B: Thủ tục cấp giấy chứng nhận quyền sử dụng đất" in text
    assert "http://bantin.test/editor/comments?status=pending" in text
    assert "http://bantin.test/editor/questions" in text
    assert "http://bantin.test/editor/profile" in html
    assert by_rcpt["admin@example.com"]["Subject"].startswith("Waiting on ")


def test_no_new_item_no_message_and_the_pace_is_kept(app, factory, staff):
    article = factory.article()
    waiting_comment(factory, article)
    now = utcnow()
    assert digest.queue_due(now) == 2
    db.session.commit()
    # Within the day: nothing, even with a new comment.
    waiting_comment(factory, article, content="Thêm một ý kiến.")
    assert digest.queue_due(now + timedelta(hours=3)) == 0
    # A day later: the new comment is reported.
    assert digest.queue_due(now + timedelta(days=1, minutes=1)) == 2
    db.session.commit()
    # Another day with nothing new: no message about the same queue.
    assert digest.queue_due(now + timedelta(days=2, minutes=2)) == 0
    assert len(queued()) == 4


def test_hourly_and_off_follow_the_profile(app, factory, staff, client, login):
    login(staff["editor"])
    response = client.post(
        "/editor/profile", data={"name": "Biên Tập", "language": "en", "digest": "hourly"}
    )
    assert response.status_code == 303
    db.session.expire_all()
    editor = db.session.get(User, staff["editor"].id)
    assert (editor.language, editor.digest) == ("en", "hourly")
    page = client.get("/editor/profile").get_data(as_text=True)
    assert re.search(r'<option (selected )?value="hourly"( selected)?>', page)

    article = factory.article()
    waiting_comment(factory, article)
    now = utcnow()
    digest.queue_due(now)
    db.session.commit()
    waiting_comment(factory, article, content="Một ý kiến nữa.")
    assert [m.to_addr for m in queued()].count("btv@example.com") == 1
    digest.queue_due(now + timedelta(hours=1, minutes=1))
    db.session.commit()
    mine = [m for m in queued() if m.to_addr == "btv@example.com"]
    assert len(mine) == 2 and mine[-1].language == "en"
    assert all(m.to_addr not in ("quiet@example.com", "ctv@example.com") for m in queued())


def test_a_bad_frequency_is_refused_and_contributors_are_not_offered_one(
    app, factory, staff, client, login
):
    login(staff["editor"])
    response = client.post("/editor/profile", data={"name": "X", "language": "vi", "digest": "x"})
    assert response.status_code == 400
    assert "Hãy chọn một mục trong danh sách." in response.get_data(as_text=True)
    client.get("/logout")
    login(staff["contributor"])
    page = client.get("/editor/profile").get_data(as_text=True)
    assert 'name="digest"' not in page
    response = client.post("/editor/profile", data={"name": "Y", "language": "vi"})
    assert response.status_code == 303


def test_two_runs_never_queue_the_same_digest_twice(app, factory, staff):
    article = factory.article()
    waiting_comment(factory, article)
    editor = db.session.get(User, staff["editor"].id)
    # Another sender claimed this user's digest after we read the row.
    db.session.execute(
        sa.update(User)
        .where(User.id == editor.id)
        .values(digest_sent_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    assert editor.digest_sent_at is None  # what this run read
    assert digest._claim(editor, utcnow()) is False


def test_without_mail_nothing_is_queued(app_factory, factory):
    app = app_factory()
    with app.app_context():
        factory.user("editor")
        db.session.add(Comment(article_id=factory.article().id, name="A", content="B"))
        db.session.commit()
        assert digest.queue_due() == 0


def test_mail_send_queues_and_sends_digests(app, factory, staff, runner, smtp):
    waiting_comment(factory, factory.article())
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0, result.output
    assert "Sent 2" in result.output
    assert len(smtp.inbox.wait_for(2)) == 2
