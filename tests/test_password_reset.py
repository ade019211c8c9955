"""Password reset by email (/login/reset): the same answer whether or not the address has
an account, rate limits per address and per email, a single-use link valid for an hour
whose token is stored only as a hash, the password rules, sessions ended afterwards."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin.clock import _real_now
from bantin.extensions import db
from bantin.mail import accounts, send_due
from bantin.models import AccountToken, AuditLog, MailMessage, User
from tests.conftest import PASSWORD
from tests.mail_server import parts, reset_link

NEW_PASSWORD = "mật khẩu mới 2026"


@pytest.fixture
def app(mail_app):
    return mail_app  # every test here runs with mail on (tests/conftest.py)


@pytest.fixture
def user(factory):
    return factory.user("editor", email="lan@example.com", name="Nguyễn Thị Lan")


def text(response) -> str:
    return response.get_data(as_text=True)


def _ask(client, email: str):
    return client.post("/login/reset", data={"email": email})


def _path(link: str) -> str:
    return link.removeprefix("http://bantin.test")


def _mailed_link(smtp, count: int = 1) -> str:
    send_due()
    return _path(reset_link(smtp.inbox.wait_for(count)[count - 1]))


def _main(html: str) -> str:
    """The page without what differs per request (CSRF tokens, nonces)."""
    html = re.sub(r'name="csrf_token"[^>]*>', "", html)
    return re.sub(r'nonce="[^"]*"', "", html)


def test_the_login_page_links_to_the_reset_page(client):
    assert 'href="/login/reset"' in text(client.get("/login"))
    page = client.get("/login/reset")
    assert page.status_code == 200 and 'name="email"' in text(page)


def test_the_answer_is_the_same_whether_or_not_the_email_exists(client, user, smtp):
    known = _ask(client, "Lan@Example.com ")
    unknown = _ask(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert _main(text(known)) == _main(text(unknown))
    assert "Nếu email này thuộc một tài khoản đang hoạt động" in text(known)
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 1
    send_due()
    (message,) = smtp.inbox.wait_for(1)
    assert message["To"].addresses[0].addr_spec == "lan@example.com"
    assert message["Subject"] == "Đặt lại mật khẩu tại Bản tin"
    body, html = parts(message)
    assert "trong 1 giờ" in body and reset_link(message) in html
    audit = list(db.session.scalars(sa.select(AuditLog.detail).order_by(AuditLog.id)))
    assert audit == ["link mailed", "unknown email"]


def test_the_link_sets_a_new_password_once_and_ends_other_sessions(app, client, user, smtp):
    theirs = app.test_client()
    theirs.post("/login", data={"email": user.email, "password": PASSWORD})
    assert theirs.get("/editor/").status_code == 200

    _ask(client, user.email)
    path = _mailed_link(smtp)
    raw = path.rsplit("/", 1)[1]
    # Only the token's hash is stored.
    stored = db.session.scalars(sa.select(AccountToken.token_hash)).all()
    assert stored == [accounts.token_hash(raw)] and raw not in stored

    page = client.get(path)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    assert "Nguyễn Thị Lan" in text(page) and "Đặt mật khẩu mới" in text(page)

    short = client.post(path, data={"password": "ngắn", "password_confirm": "ngắn"})
    assert short.status_code == 400 and "Mật khẩu cần từ 8 đến 256 ký tự." in text(short)
    assert 'id="password-error"' in text(short)
    differ = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": "khác hẳn"})
    assert differ.status_code == 400 and "Hai mật khẩu không giống nhau." in text(differ)
    assert NEW_PASSWORD not in text(differ)  # passwords never come back

    done = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    assert theirs.get("/editor/").status_code == 302  # the other session ended
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": user.email, "password": PASSWORD}).status_code == 400
    signed_in = fresh.post("/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert signed_in.status_code == 303

    # Single use.
    again = client.post(path, data={"password": "một mật khẩu khác", "password_confirm": "x"})
    assert again.status_code == 404 and "Liên kết không còn dùng được" in text(again)
    assert client.get(path).status_code == 404
    details = db.session.scalars(
        sa.select(AuditLog.detail).where(AuditLog.action == "password_reset.done")
    ).all()
    assert details == ["reset"]


def test_the_link_expires_after_an_hour(app, client, user, smtp):
    _ask(client, user.email)
    path = _mailed_link(smtp)
    app.config["CLOCK"] = lambda: _real_now() + timedelta(minutes=59)
    assert client.get(path).status_code == 200
    app.config["CLOCK"] = lambda: _real_now() + timedelta(minutes=61)
    assert client.get(path).status_code == 404


def test_a_new_link_ends_the_older_one(client, user, smtp):
    _ask(client, user.email)
    first = _mailed_link(smtp)
    _ask(client, user.email)
    second = _mailed_link(smtp, 2)
    assert first != second
    assert client.get(first).status_code == 404
    assert client.get(second).status_code == 200


def test_no_link_for_a_disabled_account(client, factory, smtp):
    factory.user("editor", email="khoa@example.com", active=False)
    assert _ask(client, "khoa@example.com").status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 0


def test_a_disabled_account_cannot_use_its_link(client, user, smtp):
    _ask(client, user.email)
    path = _mailed_link(smtp)
    user.active = False
    db.session.commit()
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "token", ["x", "a" * 65, "not-a-token-but-long-enough-1234", "%00" * 10, "ab cd" * 8]
)
def test_wrong_tokens_are_not_found(client, token):
    response = client.get(f"/login/reset/{token}")
    assert response.status_code in (400, 404)


def test_three_links_per_email_per_hour(client, user, smtp):
    for _ in range(5):
        assert _ask(client, user.email).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 3
    limited = db.session.scalar(
        sa.select(AuditLog.count).where(AuditLog.detail == "email rate limited")
    )
    assert limited == 2


def test_ten_requests_per_address_per_hour(client, user, smtp):
    for n in range(10):
        assert _ask(client, f"someone{n}@example.com").status_code == 200
    response = _ask(client, user.email)
    assert response.status_code == 429
    assert "quá nhiều lần" in text(response)
    assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 0


def test_an_empty_or_bad_email_is_answered_by_the_field(client):
    response = client.post("/login/reset", data={"email": ""})
    assert response.status_code == 400 and "Vui lòng nhập email." in text(response)
    response = client.post("/login/reset", data={"email": "x" * 300})
    assert response.status_code == 400


def test_english_users_get_the_english_message(client, factory, smtp):
    factory.user("editor", email="ann@example.com", name="Ann", language="en")
    _ask(client, "ann@example.com")
    send_due()
    (message,) = smtp.inbox.wait_for(1)
    assert message["Subject"] == "Reset your password on Bản tin"
    assert "It works once, for 1 hour:" in parts(message)[0]


def test_with_mail_off_the_page_says_so_and_nothing_is_stored(app_factory, factory):
    app = app_factory()
    with app.app_context():
        user = factory.user("editor", email="lan@example.com")
        client = app.test_client()
        page = text(client.get("/login/reset"))
        assert "chưa được cấu hình gửi thư" in page and 'name="email"' not in page
        response = client.post("/login/reset", data={"email": user.email})
        assert response.status_code == 503
        assert db.session.scalar(sa.select(sa.func.count(AccountToken.id))) == 0


def test_both_posts_need_the_csrf_token(app_factory, smtp):
    app = app_factory(WTF_CSRF_ENABLED=True, **smtp.config())
    with app.app_context():
        user = User(email="lan@example.com", name="Lan")
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.flush()
        raw = accounts.issue(user, accounts.TokenPurpose.RESET)
        db.session.commit()
        client = app.test_client()
        assert client.post("/login/reset", data={"email": user.email}).status_code == 400
        data = {"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD}
        assert client.post(f"/login/reset/{raw}", data=data).status_code == 400
        assert db.session.scalar(sa.select(sa.func.count(MailMessage.id))) == 0
        db.session.refresh(user)
        assert user.check_password(PASSWORD)
