"""Invitations instead of passwords on screen: a new user gets a link to set their own
password (72 hours, single use), mailed, or shown once to the admin when mail is off;
"Đặt lại mật khẩu" on a user sends a reset link the same way. The admin's mail page."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin.clock import _real_now
from bantin.extensions import db
from bantin.mail import send_due
from bantin.models import AuditLog, MailMessage, MailStatus, Role, User
from tests.conftest import PASSWORD
from tests.mail_server import parts, reset_link

NEW_PASSWORD = "mật khẩu của tôi"
SHOWN_LINK = re.compile(r'<code class="mail-link secret" id="invite-link">([^<]+)</code>')


@pytest.fixture
def app(mail_app):
    return mail_app  # every test here runs with mail on (tests/conftest.py)


@pytest.fixture
def admin(factory):
    return factory.user("admin", name="Quản trị Một")


@pytest.fixture
def as_admin(client, admin, login):
    login(admin)
    return client


def text(response) -> str:
    return response.get_data(as_text=True)


def _invite(client, email="moi@example.com", name="Lê Văn Mới", language="vi"):
    return client.post(
        "/editor/users/new",
        data={"email": email, "name": name, "role": "editor", "language": language},
    )


def _set_password(client, path: str, password: str = NEW_PASSWORD):
    return client.post(path, data={"password": password, "password_confirm": password})


def test_a_new_user_is_invited_by_mail_and_sets_a_password(app, as_admin, smtp):
    form = text(as_admin.get("/editor/users/new"))
    assert 'name="password"' not in form and "thư mời" in form
    response = _invite(as_admin, email="Moi@Example.com")
    assert response.status_code == 200
    page = text(response)
    assert "Đã gửi thư mời đến moi@example.com" in page
    assert "/login/reset/" not in page  # the link is only in the mail
    user = db.session.scalars(sa.select(User).where(User.email == "moi@example.com")).one()
    assert (user.role, user.language, user.last_login_at) == (Role.EDITOR, "vi", None)

    send_due()
    (message,) = smtp.inbox.wait_for(1)
    assert message["Subject"] == "Mời bạn tham gia biên tập Bản tin"
    assert message["To"].addresses[0].display_name == "Lê Văn Mới"
    body, html = parts(message)
    assert "Quản trị Một đã tạo cho bạn một tài khoản" in body and "trong 72 giờ" in body
    link = reset_link(message)
    assert link in html and link.startswith("http://bantin.test/login/reset/")
    path = link.removeprefix("http://bantin.test")

    assert "Đã mời, chưa đặt mật khẩu" in text(as_admin.get("/editor/users"))
    newcomer = app.test_client()
    page = newcomer.get(path)
    assert page.status_code == 200 and "Đặt mật khẩu cho tài khoản mới" in text(page)
    assert _set_password(newcomer, path).status_code == 303
    assert "Đã mời, chưa đặt mật khẩu" not in text(as_admin.get("/editor/users"))
    signed_in = newcomer.post("/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 303
    assert newcomer.get(path).status_code == 404  # single use
    actions = db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)).all()
    assert actions[-4:] == ["user.create", "user.invite", "password_reset.done", "login.success"]


def test_an_english_invitation(as_admin, smtp):
    _invite(as_admin, email="ann@example.com", name="Ann Lee", language="en")
    send_due()
    (message,) = smtp.inbox.wait_for(1)
    assert message["Subject"] == "You are invited to edit Bản tin"
    assert "for 72 hours" in parts(message)[0]


def test_an_invitation_lasts_72_hours(app, as_admin, smtp):
    _invite(as_admin)
    send_due()
    path = reset_link(smtp.inbox.wait_for(1)[0]).removeprefix("http://bantin.test")
    app.config["CLOCK"] = lambda: _real_now() + timedelta(hours=71)
    assert app.test_client().get(path).status_code == 200
    app.config["CLOCK"] = lambda: _real_now() + timedelta(hours=73)
    assert app.test_client().get(path).status_code == 404


def test_an_invited_user_cannot_sign_in_before_setting_a_password(app, as_admin):
    _invite(as_admin)
    for guess in ("", PASSWORD, "moi@example.com"):
        response = app.test_client().post(
            "/login", data={"email": "moi@example.com", "password": guess}
        )
        assert response.status_code == 400


def test_validation_keeps_what_was_typed(as_admin, admin):
    response = _invite(as_admin, email=admin.email, name="Trùng")
    assert response.status_code == 400 and "Đã có người dùng với email này." in text(response)
    response = _invite(as_admin, email="not an email", name="Tên Gõ")
    assert response.status_code == 400 and 'value="Tên Gõ"' in text(response)
    response = _invite(as_admin, email="x@example.com", name="X", language="fr")
    assert response.status_code == 400
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


def test_reset_by_an_admin_mails_a_link_and_the_old_password_works_until_used(
    app, as_admin, factory, smtp
):
    user = factory.user("editor", email="lan@example.com", name="Lan")
    theirs = app.test_client()
    theirs.post("/login", data={"email": user.email, "password": PASSWORD})
    response = as_admin.post(f"/editor/users/{user.id}/reset-password")
    assert response.status_code == 200
    assert "Đã gửi đến lan@example.com một liên kết" in text(response)
    assert "/login/reset/" not in text(response)
    assert theirs.get("/editor/").status_code == 200  # nothing ends before the link is used

    send_due()
    (message,) = smtp.inbox.wait_for(1)
    assert "Quản trị viên Quản trị Một vừa tạo cho bạn một liên kết" in parts(message)[0]
    path = reset_link(message).removeprefix("http://bantin.test")
    assert _set_password(app.test_client(), path).status_code == 303
    assert theirs.get("/editor/").status_code == 302
    assert db.session.scalars(
        sa.select(AuditLog.detail).where(AuditLog.action == "user.reset_password")
    ).all() == ["link mailed"]


def test_an_admin_resetting_their_own_password_stays_signed_in(as_admin, admin):
    assert as_admin.post(f"/editor/users/{admin.id}/reset-password").status_code == 200
    assert as_admin.get("/editor/").status_code == 200


def test_editing_a_user_sets_their_language(as_admin, factory):
    user = factory.user("editor")
    form = text(as_admin.get(f"/editor/users/{user.id}/edit"))
    assert 'name="language"' in form
    response = as_admin.post(
        f"/editor/users/{user.id}/edit", data={"name": "Ann", "role": "editor", "language": "en"}
    )
    assert response.status_code == 303
    db.session.refresh(user)
    assert user.language == "en"


# ------------------------------------------------------------------ mail off


@pytest.fixture
def off_admin(app_factory):
    """An admin signed in on a site without MAIL_SERVER."""
    app = app_factory()
    with app.app_context():
        admin = User(email="admin@example.com", name="Quản trị", role=Role.ADMIN)
        admin.set_password(PASSWORD)
        db.session.add(admin)
        db.session.commit()
        client = app.test_client()
        client.post("/login", data={"email": admin.email, "password": PASSWORD})
        yield app, client


def test_with_mail_off_the_admin_gets_the_invitation_link_once(off_admin):
    app, client = off_admin
    assert "Thư điện tử đang tắt" in text(client.get("/editor/users"))
    assert "bạn nhận liên kết" in text(client.get("/editor/users/new"))
    response = _invite(client)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    link = SHOWN_LINK.search(text(response)).group(1)
    assert link.startswith("http://localhost/login/reset/")
    assert "Liên kết chỉ hiện một lần." in text(response)
    assert link not in text(client.get("/editor/users"))
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 0

    path = link.removeprefix("http://localhost")
    newcomer = app.test_client()
    assert _set_password(newcomer, path).status_code == 303
    assert (
        newcomer.post(
            "/login", data={"email": "moi@example.com", "password": NEW_PASSWORD}
        ).status_code
        == 303
    )


def test_with_mail_off_a_reset_shows_the_link(off_admin, app_factory):
    app, client = off_admin
    with app.app_context():
        user = User(email="lan@example.com", name="Lan")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
        response = client.post(f"/editor/users/{user.id}/reset-password")
        assert SHOWN_LINK.search(text(response))
        assert "trong 1 giờ" in text(response)


def test_with_mail_off_the_mail_page_says_so(off_admin):
    _app, client = off_admin
    page = client.get("/editor/mail")
    assert page.status_code == 200 and "Thư điện tử đang tắt." in text(page)


# ------------------------------------------------------------------ the mail page


def test_the_mail_page_shows_the_queue_failures_and_retries(app, as_admin, smtp):
    smtp.inbox.refuse["nobody@example.com"] = "550 5.1.1 No such user"
    _invite(as_admin, email="nobody@example.com", name="Không Ai")
    _invite(as_admin, email="moi@example.com")
    page = text(as_admin.get("/editor/mail"))
    assert "Thư điện tử đang bật." in page and "127.0.0.1" in page
    assert 'id="count-queued">Chờ gửi: <strong>2</strong>' in page
    assert "/login/reset/" not in page  # bodies (and their links) are never shown

    send_due()
    page = text(as_admin.get("/editor/mail"))
    assert 'id="count-failed">Lỗi: <strong>1</strong>' in page
    assert "550" in page and "Không Ai &lt;nobody@example.com&gt;" in page
    failed = db.session.scalars(
        sa.select(MailMessage).where(MailMessage.status == MailStatus.FAILED)
    ).one()

    smtp.inbox.refuse.clear()
    response = as_admin.post(f"/editor/mail/{failed.id}/retry")
    assert response.status_code == 303
    assert send_due().sent == 1
    assert len(smtp.inbox.wait_for(2)) == 2
    assert as_admin.post("/editor/mail/retry-failed").status_code == 303
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(AuditLog.action == "mail.retry")
    ).all()
    assert actions == ["mail.retry"]


def test_only_admins_see_the_mail_page(app, client, factory, login):
    editor = factory.user("editor")
    login(editor)
    assert client.get("/editor/mail").status_code == 403
    assert client.post("/editor/mail/retry-failed").status_code == 403
    assert client.post("/editor/mail/1/retry").status_code == 403
    assert app.test_client().get("/editor/mail").status_code in (302, 401)


def test_a_missing_message_is_404_and_a_huge_id_is_not_a_500(as_admin):
    assert as_admin.post("/editor/mail/999/retry").status_code == 404
    assert as_admin.post(f"/editor/mail/{2**70}/retry").status_code == 404


def test_create_user_cli_still_sets_a_password(app):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=[
            "create-user", "--email", "cli@example.com", "--name", "CLI",
            "--role", "editor", "--password", "cli password 1",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    client = app.test_client()
    response = client.post(
        "/login", data={"email": "cli@example.com", "password": "cli password 1"}
    )
    assert response.status_code == 303
