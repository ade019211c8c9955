"""The review workflow (issue 14 §1): contributors write and submit, editors approve or return.

Every step goes through the real forms (CSRF off in tests, as everywhere) and the real SMTP
server the mail tests use: the messages that tell people what waits for them are checked as
delivered.
"""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin import mail
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleRevision, ArticleStatus, AuditLog, User
from tests.conftest import PASSWORD
from tests.mail_server import parts

BODY = "<p>Xã tổ chức ngày hội đại đoàn kết toàn dân tộc tại thôn Phú Hòa.</p>"


@pytest.fixture
def app(mail_app):
    return mail_app  # every test here runs with mail on (tests/conftest.py)


@pytest.fixture
def people(factory):
    return {
        "contributor": factory.user("contributor", name="Cộng Tác Viên", email="ctv@example.com"),
        "other": factory.user("contributor", name="Người Khác", email="khac@example.com"),
        "editor": factory.user("editor", name="Biên Tập Viên", email="btv@example.com"),
        "admin": factory.user("admin", name="Quản Trị", email="qt@example.com", language="en"),
    }


@pytest.fixture
def category(factory):
    return factory.category("Tin tức")


def text(response) -> str:
    return response.get_data(as_text=True)


def signed_in(app, user: User):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    return client


def form(category, **overrides) -> dict:
    data = {
        "title": "Ngày hội đại đoàn kết",
        "category_id": str(category.id),
        "author_name": "CTV",
        "lead": "Ngày hội ở thôn Phú Hòa.",
        "body": BODY,
        "status": "draft",
        "published_at": "",
        "allow_comments": "y",
    }
    data.update(overrides)
    return data


def audit_actions(article_id: int) -> list[str]:
    return db.session.scalars(
        sa.select(AuditLog.action)
        .where(AuditLog.target_type == "article", AuditLog.target_id == article_id)
        .order_by(AuditLog.id)
    ).all()


def the_article() -> Article:
    db.session.expire_all()
    return db.session.scalars(sa.select(Article).order_by(Article.id.desc())).first()


def deliver(smtp, count: int):
    mail.send_due()
    return smtp.inbox.wait_for(count, timeout=10)


def submit_new(app, people, category, note="Ảnh do thôn cung cấp."):
    client = signed_in(app, people["contributor"])
    response = client.post(
        "/editor/articles/new",
        data=form(category, review_action="submit", review_note=note),
    )
    assert response.status_code == 303, text(response)[:2000]
    return client, the_article()


# ---------------------------------------------------------------- contributors


def test_a_contributor_submits_and_the_editors_are_told(app, people, category, smtp):
    client, article = submit_new(app, people, category)
    assert article.status == ArticleStatus.REVIEW
    assert article.review_note == "Ảnh do thôn cung cấp."
    assert article.submitted_at is not None
    assert article.created_by_id == people["contributor"].id
    assert audit_actions(article.id) == ["article.create", "article.submit"]

    messages = deliver(smtp, 2)
    envelopes = smtp.inbox.envelopes
    by_rcpt = {rcpts[0]: msg for (_f, rcpts), msg in zip(envelopes, messages, strict=True)}
    assert set(by_rcpt) == {"btv@example.com", "qt@example.com"}  # every reviewer, not others
    vi = by_rcpt["btv@example.com"]
    assert vi["Subject"] == "Bài chờ duyệt: Ngày hội đại đoàn kết"
    body, html = parts(vi)
    assert "Cộng Tác Viên vừa gửi duyệt" in body and "Ảnh do thôn cung cấp." in body
    assert f"http://bantin.test/editor/articles/{article.id}/edit" in body
    assert f'href="http://bantin.test/editor/articles/{article.id}/edit"' in html
    assert by_rcpt["qt@example.com"]["Subject"] == "Waiting for review: Ngày hội đại đoàn kết"

    # The contributor's own view: waiting, not editable, with a way to take it back.
    page = text(client.get(f"/editor/articles/{article.id}/edit"))
    assert "Bài đang chờ duyệt" in page and "Rút về bản nháp" in page
    assert 'id="article-form"' not in page
    assert (
        client.post(f"/editor/articles/{article.id}/edit", data=form(category)).status_code == 403
    )


def test_a_contributor_cannot_publish_schedule_or_feature(app, people, category):
    client = signed_in(app, people["contributor"])
    later = (utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        "/editor/articles/new",
        data=form(category, status="published", published_at=later, featured="y"),
    )
    assert response.status_code == 303
    article = the_article()
    # CONTRACT.md: "published" from a contributor is stored as "review", unscheduled.
    assert (article.status, article.published_at, article.featured) == (
        ArticleStatus.REVIEW,
        None,
        False,
    )
    client.post(f"/editor/articles/{article.id}/withdraw")
    article = the_article()
    page = text(client.get(f"/editor/articles/{article.id}/edit"))
    assert 'name="status" value="draft"' in page and 'type="radio"' not in page
    assert "Gửi duyệt" in page and "Duyệt và đăng" not in page
    assert client.get(f"/article/{article.id}/{article.slug}").status_code == 404
    # Nor through the bulk actions.
    response = client.post("/editor/articles/bulk", data={"action": "publish", "ids": article.id})
    assert response.status_code == 403
    assert the_article().status == ArticleStatus.DRAFT
    # Nor by saving a draft with status=published: it goes to review, not to readers.
    response = client.post(
        f"/editor/articles/{article.id}/edit",
        data=form(category, status="published", version=str(article.version)),
    )
    assert response.status_code == 303
    assert the_article().status == ArticleStatus.REVIEW
    assert client.get(f"/article/{article.id}/{article.slug}").status_code == 404


def test_a_contributor_sees_only_their_own_articles(app, people, category, factory):
    theirs = factory.article(category, title="Bài của biên tập", published=False)
    theirs.created_by_id = people["editor"].id
    db.session.commit()
    client, mine = submit_new(app, people, category)
    listing = text(client.get("/editor/articles"))
    assert "Ngày hội đại đoàn kết" in listing and "Bài của biên tập" not in listing
    for path in (
        f"/editor/articles/{theirs.id}/edit",
        f"/editor/articles/{theirs.id}/preview",
        f"/editor/articles/{theirs.id}/revisions",
    ):
        refused = client.get(path)
        assert refused.status_code == 403
        # The refusal is an editor page with a way back.
        assert 'class="ed-nav"' in text(refused) and "Về trang tổng quan" in text(refused)
    assert client.post(f"/editor/articles/{theirs.id}/delete").status_code == 403
    assert client.post(f"/editor/articles/{mine.id}/return", data={"note": "x"}).status_code == 403
    # Another contributor cannot withdraw or open it either.
    other = signed_in(app, people["other"])
    assert other.post(f"/editor/articles/{mine.id}/withdraw").status_code == 403
    assert other.get(f"/editor/articles/{mine.id}/edit").status_code == 403


def test_withdraw_brings_a_submission_back_to_the_draft(app, people, category):
    client, article = submit_new(app, people, category)
    assert client.post(f"/editor/articles/{article.id}/withdraw").status_code == 303
    article = the_article()
    assert article.status == ArticleStatus.DRAFT and article.review_note == ""
    assert audit_actions(article.id)[-1] == "article.withdraw"
    edited = client.post(
        f"/editor/articles/{article.id}/edit",
        data=form(category, title="Ngày hội (sửa)", version=str(article.version)),
    )
    assert edited.status_code == 303
    assert the_article().title == "Ngày hội (sửa)"


def test_an_article_that_cannot_be_published_is_saved_but_not_submitted(app, people, category):
    client = signed_in(app, people["contributor"])
    body = '<p>Ảnh</p><figure><img src="/uploads/2026/01/abc-800.jpg"></figure>'
    response = client.post(
        "/editor/articles/new", data=form(category, body=body, review_action="submit")
    )
    # Saved as a draft (nothing typed is lost), not submitted, and the form says why.
    assert response.status_code == 400
    assert "chưa có mô tả" in text(response)
    article = the_article()
    assert article.status == ArticleStatus.DRAFT and article.title == "Ngày hội đại đoàn kết"
    assert f'action="/editor/articles/{article.id}/edit"' in text(response)
    response = client.post(
        f"/editor/articles/{article.id}/edit",
        data=form(category, body=body, review_action="submit", version=str(article.version)),
    )
    assert response.status_code == 400
    assert "chưa có mô tả" in text(response)
    assert the_article().status == ArticleStatus.DRAFT


# ---------------------------------------------------------------- editors


def test_return_needs_a_note_and_the_author_reads_it(app, people, category, smtp):
    contributor, article = submit_new(app, people, category)
    deliver(smtp, 2)
    editor = signed_in(app, people["editor"])
    queue = text(editor.get("/editor/"))
    assert 'id="queue-size">1<' in queue and "Ngày hội đại đoàn kết" in queue

    refused = editor.post(f"/editor/articles/{article.id}/return", data={"note": "   "})
    assert refused.status_code == 400
    assert "Hãy ghi rõ tác giả cần sửa gì" in text(refused)
    assert the_article().status == ArticleStatus.REVIEW

    note = "Cần thêm tên người trong ảnh.\nSửa lại tiêu đề cho ngắn."
    response = editor.post(f"/editor/articles/{article.id}/return", data={"note": note})
    assert response.status_code == 303
    article = the_article()
    assert article.status == ArticleStatus.DRAFT and article.review_note == note
    assert audit_actions(article.id)[-1] == "article.return"

    message = deliver(smtp, 3)[-1]
    assert smtp.inbox.envelopes[-1][1] == ["ctv@example.com"]
    assert message["Subject"] == "Bài được trả lại: Ngày hội đại đoàn kết"
    assert "Cần thêm tên người trong ảnh." in parts(message)[0]

    page = text(contributor.get(f"/editor/articles/{article.id}/edit"))
    assert "Bài được trả lại" in page and "Cần thêm tên người trong ảnh." in page
    dashboard = text(contributor.get("/editor/"))
    assert "Được trả lại" in dashboard and "Sửa lại tiêu đề cho ngắn." in dashboard


def test_approve_publishes_now_or_at_the_chosen_time(app, people, category, smtp):
    _client, article = submit_new(app, people, category)
    editor = signed_in(app, people["editor"])
    page = text(editor.get(f"/editor/articles/{article.id}/edit"))
    assert "Duyệt và đăng" in page and "Trả lại" in page and 'type="radio"' not in page
    response = editor.post(
        f"/editor/articles/{article.id}/edit",
        data=form(
            category,
            status="review",
            title="Ngày hội đại đoàn kết toàn dân",
            review_action="approve",
            version=str(article.version),
        ),
    )
    assert response.status_code == 303, text(response)[:2000]
    article = the_article()
    assert article.status == ArticleStatus.PUBLISHED and article.is_visible()
    assert article.title == "Ngày hội đại đoàn kết toàn dân"  # the editor's edit is kept
    assert audit_actions(article.id)[-2:] == ["article.edit", "article.approve"]
    assert editor.get(f"/article/{article.id}/{article.slug}").status_code == 200
    message = deliver(smtp, 3)[-1]
    assert smtp.inbox.envelopes[-1][1] == ["ctv@example.com"]
    assert message["Subject"] == "Bài đã được duyệt: Ngày hội đại đoàn kết toàn dân"
    notes = db.session.scalars(
        sa.select(ArticleRevision.note)
        .where(ArticleRevision.article_id == article.id)
        .order_by(ArticleRevision.number)
    ).all()
    assert notes == ["create", "submit", "edit", "approve"]
    history = text(editor.get(f"/editor/articles/{article.id}/revisions"))
    assert "Gửi duyệt" in history and "Duyệt và đăng" in history


def test_approve_with_a_time_schedules(app, people, category):
    _client, article = submit_new(app, people, category)
    editor = signed_in(app, people["editor"])
    later = utcnow() + timedelta(days=3)
    local = (later + timedelta(hours=7)).strftime("%Y-%m-%dT%H:%M")  # the site's time zone
    response = editor.post(
        f"/editor/articles/{article.id}/edit",
        data=form(
            category,
            status="review",
            review_action="approve",
            published_at=local,
            version=str(article.version),
        ),
    )
    assert response.status_code == 303, text(response)[:2000]
    article = the_article()
    assert article.is_scheduled
    assert abs(article.published_at - later) < timedelta(minutes=2)


def test_an_editor_save_keeps_the_article_in_review(app, people, category):
    _client, article = submit_new(app, people, category)
    editor = signed_in(app, people["editor"])
    response = editor.post(
        f"/editor/articles/{article.id}/edit",
        data=form(category, status="review", lead="Sửa sa-pô.", version=str(article.version)),
    )
    assert response.status_code == 303
    article = the_article()
    assert article.status == ArticleStatus.REVIEW and article.lead == "Sửa sa-pô."


def test_steps_that_no_longer_apply_change_nothing(app, people, category):
    client, article = submit_new(app, people, category)
    editor = signed_in(app, people["editor"])
    client.post(f"/editor/articles/{article.id}/withdraw")
    response = editor.post(f"/editor/articles/{article.id}/return", data={"note": "Muộn rồi"})
    assert response.status_code == 303
    assert the_article().status == ArticleStatus.DRAFT and the_article().review_note == ""
    listing = text(editor.get("/editor/articles?status=review"))
    assert "Ngày hội đại đoàn kết" not in listing


def test_the_review_filter_and_badge(app, people, category):
    submit_new(app, people, category)
    editor = signed_in(app, people["editor"])
    listing = text(editor.get("/editor/articles?status=review"))
    assert "Ngày hội đại đoàn kết" in listing
    assert re.search(r'<span class="state state-review">Chờ duyệt</span>', listing)


def test_roles_are_named_and_chosen(app, people):
    admin = signed_in(app, people["admin"])
    page = text(admin.get("/editor/users/new"))
    assert 'value="contributor"' in page and "Cộng tác viên (viết bài, gửi duyệt)" in page
    contributor = signed_in(app, people["contributor"])
    assert '<span class="ed-role">Cộng tác viên</span>' in text(contributor.get("/editor/"))


def test_create_user_accepts_the_contributor_role(app, runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "moi@example.com",
            "--name",
            "Người Mới",
            "--role",
            "contributor",
            "--password",
            "mat khau du dai",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User).where(User.email == "moi@example.com")).one()
    assert user.role.value == "contributor"
