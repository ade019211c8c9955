"""Sign-in, sign-out, safe redirects, lockout and revocable sessions."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from bantin import login_guard
from bantin.extensions import db
from bantin.models import AuditLog, LoginAttempt, User
from bantin.models.user import PASSWORD_METHOD
from tests.conftest import PASSWORD

GENERIC = "Email hoặc mật khẩu không đúng."
T0 = datetime(2026, 3, 10, 8, 0, 0)


def post_login(client, email, password, **kw):
    data = {"email": email, "password": password}
    data.update(kw.pop("data", {}))
    return client.post("/login", data=data, **kw)


def audit_actions() -> list[tuple[str, str, str]]:
    rows = db.session.execute(
        sa.select(AuditLog.action, AuditLog.actor, AuditLog.detail).order_by(AuditLog.id)
    ).all()
    return [tuple(r) for r in rows]


@pytest.fixture
def clock(app):
    """A settable clock: tests move time instead of sleeping."""
    state = {"now": T0}
    app.config["CLOCK"] = lambda: state["now"]
    return state


# ------------------------------------------------------------------ sign-in


def test_login_page_renders_in_focused_layout(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'name="email"' in html and 'name="password"' in html and 'name="remember"' in html
    assert "Tin mới nhất" not in html  # the site's header, without the reader sidebar
    assert 'autocomplete="current-password"' in html


def test_login_success_redirects_to_dashboard_and_records(client, factory):
    user = factory.user("editor")
    response = post_login(client, user.email.upper(), PASSWORD)  # email is case-insensitive
    assert response.status_code == 303
    assert response.location == "/editor/"
    assert client.get("/editor/").status_code == 200
    db.session.refresh(user)
    assert user.last_login_at is not None
    assert ("login.success", user.email, "") in audit_actions()
    attempt = db.session.scalars(sa.select(LoginAttempt)).one()
    assert attempt.success and attempt.email == user.email and attempt.ip == "127.0.0.1"


@pytest.mark.parametrize("who", ["wrong password", "unknown email"])
def test_login_failure_is_generic_and_audited(client, factory, who):
    user = factory.user("editor")
    email = user.email if who == "wrong password" else "nobody@example.com"
    response = post_login(client, email, "not the password")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert GENERIC in html
    assert f'value="{email}"' in html  # typed email kept
    assert "not the password" not in html  # the password never comes back
    assert client.get("/editor/").status_code == 302
    actions = audit_actions()
    assert actions == [("login.failure", email, who)]
    entry = db.session.scalars(sa.select(AuditLog)).one()
    assert entry.ip == "127.0.0.1"


def test_unknown_email_and_wrong_password_pages_are_identical(client, factory):
    user = factory.user("editor", email="real@example.com")

    def page(email):
        html = post_login(client, email, "wrong-password").get_data(as_text=True)
        return html.replace(email, "EMAIL")

    assert page(user.email) == page("fake@example.com")


def test_missing_fields_are_400_with_messages_next_to_fields(client):
    response = post_login(client, "someone@example.com", "")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="password-error"' in html and "Vui lòng nhập mật khẩu." in html
    assert 'value="someone@example.com"' in html
    assert db.session.scalar(sa.select(sa.func.count(LoginAttempt.id))) == 0


def test_overlong_password_is_refused_without_truncation(client, factory):
    user = factory.user("editor", password="a" * 256)
    assert post_login(client, user.email, "a" * 257).status_code == 400
    assert post_login(client, user.email, "a" * 255).status_code == 400
    assert post_login(client, user.email, "a" * 256).status_code == 303


def test_remember_me_sets_a_cookie_that_signs_in_a_new_browser(app, client, factory):
    user = factory.user("editor")
    response = post_login(client, user.email, PASSWORD)
    assert "remember_token=" not in " ".join(response.headers.getlist("Set-Cookie"))

    other = app.test_client()
    response = post_login(other, user.email, PASSWORD, data={"remember": "y"})
    assert "remember_token=" in " ".join(response.headers.getlist("Set-Cookie"))
    token = other.get_cookie("remember_token").value

    fresh = app.test_client()  # a browser restarted: only the remember-me cookie survives
    fresh.set_cookie("remember_token", token)
    assert fresh.get("/editor/").status_code == 200


def test_login_rotates_the_session(client, factory):
    user = factory.user("editor")
    with client.session_transaction() as sess:
        sess["planted"] = "by an attacker"
    post_login(client, user.email, PASSWORD)
    with client.session_transaction() as sess:
        assert "planted" not in sess
        assert sess["_user_id"] == f"{user.id}:{user.session_version}"


def test_signed_in_user_visiting_login_goes_to_dashboard(client, factory, login):
    login(factory.user("editor"))
    response = client.get("/login")
    assert response.status_code == 302 and response.location == "/editor/"


# ------------------------------------------------------------------ ?next=

UNSAFE_NEXT = [
    "/\t/evil.example",
    "////evil.example",
    " //evil.example",
    "https:evil.example",
    "\\/evil.example",
    "/\\evil.example",
    "//evil.example",
    "http://evil.example",
    "https://evil.example/editor/",
    "javascript:alert(1)",
    "\r\n//evil.example",
    "/\n/evil.example",
    "evil.example",
    "editor/",
    "///evil.example",
    "//evil.example/%2F..",
    "http:/evil.example",
    "",
]


@pytest.mark.parametrize("target", UNSAFE_NEXT)
def test_unsafe_next_lands_on_dashboard(client, factory, target):
    user = factory.user("editor")
    response = client.post(
        "/login",
        query_string={"next": target},
        data={"email": user.email, "password": PASSWORD},
    )
    if "\r" in target or "\n" in target:
        # Control characters in a query string are refused before any view runs.
        assert response.status_code == 400 and "Location" not in response.headers
        return
    assert response.status_code == 303
    assert response.location == "/editor/"
    assert response.headers["Location"] == "/editor/"


@pytest.mark.parametrize("target", ["/editor/articles", "/editor/?tab=1", "/article/5/bai-viet"])
def test_local_next_is_followed(client, factory, target):
    user = factory.user("editor")
    page = client.get("/login", query_string={"next": target}).get_data(as_text=True)
    assert 'action="/login?next=' in page  # the form keeps the destination
    response = client.post(
        "/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD}
    )
    assert response.status_code == 303
    assert response.location == target


def test_unsafe_next_is_not_echoed_into_the_form(client):
    html = client.get("/login", query_string={"next": "//evil.example"}).get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]*)" class="login-form"', html)
    assert form and form.group(1) == "/login"


def test_anonymous_editor_request_is_sent_to_login_with_next(client, factory):
    response = client.get("/editor/users?x=1")
    assert response.status_code == 302
    assert response.location == "/login?next=/editor/users?x%3D1"
    user = factory.user("admin")
    response = client.post(
        "/login?next=/editor/users?x%3D1", data={"email": user.email, "password": PASSWORD}
    )
    assert response.location == "/editor/users?x=1"


# ------------------------------------------------------------------ logout


def test_logout_is_post_only(client, factory, login):
    login(factory.user("editor"))
    assert client.get("/logout").status_code == 405
    assert client.get("/editor/").status_code == 200  # still signed in


def test_logout_revokes_copied_session_and_remember_cookies(app, client, factory):
    user = factory.user("editor")
    post_login(client, user.email, PASSWORD, data={"remember": "y"})
    session_cookie = client.get_cookie("session").value
    remember_cookie = client.get_cookie("remember_token").value
    version = user.session_version

    response = client.post("/logout")
    assert response.status_code == 303 and response.location == "/login"
    db.session.refresh(user)
    assert user.session_version == version + 1
    assert client.get("/editor/").status_code == 302

    replay = app.test_client()
    replay.set_cookie("session", session_cookie)
    response = replay.get("/editor/")
    assert response.status_code == 302 and response.location.startswith("/login?next=")

    replay = app.test_client()
    replay.set_cookie("remember_token", remember_cookie)
    assert replay.get("/editor/").status_code == 302
    assert ("logout", user.email, "") in audit_actions()


def test_logout_when_signed_out_is_harmless(client):
    assert client.post("/logout").status_code == 303


# ------------------------------------------------------------------ lockout


def test_account_lockout_after_five_failures_lifts_after_fifteen_minutes(
    app, client, factory, clock
):
    user = factory.user("editor")
    for i in range(5):
        clock["now"] = T0 + timedelta(minutes=i)
        assert post_login(client, user.email, "wrong-password").status_code == 400

    clock["now"] = T0 + timedelta(minutes=4, seconds=30)
    response = post_login(client, user.email, PASSWORD)  # even the right password
    assert response.status_code == 429
    html = response.get_data(as_text=True)
    assert "Đăng nhập sai quá nhiều lần" in html and "15 phút" in html
    assert client.get("/editor/").status_code == 302

    # Another address is refused too: the lock belongs to the account.
    other_ip = app.test_client()
    resp = post_login(other_ip, user.email, PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.7"})
    assert resp.status_code == 429

    clock["now"] = T0 + timedelta(minutes=18, seconds=30)  # 14.5 min after the 5th failure
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 429 and "1 phút" in response.get_data(as_text=True)

    clock["now"] = T0 + timedelta(minutes=19, seconds=1)  # 15 min after the 5th failure
    assert post_login(client, user.email, PASSWORD).status_code == 303
    # Refused attempts were audited (repeats counted on one row per address and window)
    # but not counted as failures.
    refused = db.session.scalar(
        sa.select(sa.func.sum(AuditLog.count)).where(
            AuditLog.action == "login.failure", AuditLog.detail == "locked out"
        )
    )
    assert refused == 3
    assert db.session.scalar(sa.select(sa.func.count(LoginAttempt.id))) == 6


def test_lock_holds_across_workers(app_factory, factory, clock):
    user = factory.user("editor")
    first = app_factory()
    first.config["CLOCK"] = lambda: clock["now"]
    for _ in range(5):
        post_login(first.test_client(), user.email, "wrong-password")
    second = app_factory()  # another worker (or a restart) on the same database
    second.config["CLOCK"] = lambda: clock["now"]
    assert post_login(second.test_client(), user.email, PASSWORD).status_code == 429


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client, factory, clock):
    user = factory.user("editor")
    for i in range(6):
        clock["now"] = T0 + timedelta(minutes=4 * i)  # at most 4 inside any 15 minutes
        assert post_login(client, user.email, "wrong-password").status_code == 400
    assert post_login(client, user.email, PASSWORD).status_code == 303


def test_success_starts_the_account_count_afresh(app, factory, clock):
    user = factory.user("editor")
    client = app.test_client()
    for _ in range(4):
        post_login(client, user.email, "wrong-password")
    assert post_login(client, user.email, PASSWORD).status_code == 303
    client = app.test_client()
    for _ in range(4):
        post_login(client, user.email, "wrong-password")
    assert post_login(client, user.email, PASSWORD).status_code == 303


def test_ip_lockout_after_twenty_failures_across_accounts(app, factory, clock):
    victim = factory.user("editor")
    attacker = {"REMOTE_ADDR": "203.0.113.9"}
    client = app.test_client()
    for i in range(20):
        clock["now"] = T0 + timedelta(seconds=20 * i)
        email = f"guess{i % 5}@example.com"  # four tries per account: no account lock
        assert post_login(client, email, "x" * 8, environ_base=attacker).status_code == 400
    response = post_login(client, victim.email, PASSWORD, environ_base=attacker)
    assert response.status_code == 429
    # The account itself is not locked: from another address it signs in.
    other = app.test_client()
    ok = post_login(other, victim.email, PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.1"})
    assert ok.status_code == 303
    clock["now"] += timedelta(minutes=15, seconds=1)
    assert post_login(client, victim.email, PASSWORD, environ_base=attacker).status_code == 303


def test_unknown_emails_lock_like_real_ones(client, clock):
    for _ in range(5):
        post_login(client, "ghost@example.com", "wrong-password")
    assert post_login(client, "ghost@example.com", "wrong-password").status_code == 429


def test_locked_until_uses_the_densest_window():
    base = T0
    times = [base + timedelta(minutes=m) for m in (0, 1, 2, 3, 14)]
    assert login_guard._locked_until(times, 5) == base + timedelta(minutes=29)
    times = [base + timedelta(minutes=m) for m in (0, 1, 2, 3, 16)]
    assert login_guard._locked_until(times, 5) is None


def test_old_attempts_are_purged(client, factory, clock):
    for _ in range(3):
        post_login(client, "old@example.com", "wrong-password")
    clock["now"] = T0 + timedelta(days=2)
    post_login(client, "new@example.com", "wrong-password")
    emails = db.session.scalars(sa.select(LoginAttempt.email)).all()
    assert emails == ["new@example.com"]


# ------------------------------------------------------------------ disabled users


def test_disabled_user_cannot_sign_in(client, factory):
    user = factory.user("editor", active=False)
    response = post_login(client, user.email, PASSWORD)
    assert response.status_code == 403
    assert "đã bị khóa" in response.get_data(as_text=True)
    assert client.get("/editor/").status_code == 302
    # Without the password nothing reveals that the account exists.
    response = post_login(client, user.email, "wrong-password")
    assert response.status_code == 400 and GENERIC in response.get_data(as_text=True)
    assert ("login.failure", user.email, "disabled") in audit_actions()


def test_user_disabled_while_signed_in_is_signed_out(client, factory, login):
    user = factory.user("editor")
    login(user)
    assert client.get("/editor/").status_code == 200
    user.active = False
    db.session.commit()
    response = client.get("/editor/")
    assert response.status_code == 302 and response.location.startswith("/login")


# ------------------------------------------------------------------ passwords


def test_password_change_revokes_other_sessions(app, factory):
    user = factory.user("editor")
    here, elsewhere = app.test_client(), app.test_client()
    post_login(here, user.email, PASSWORD)
    post_login(elsewhere, user.email, PASSWORD)
    response = here.post(
        "/editor/profile/password",
        data={
            "current_password": PASSWORD,
            "new_password": "a new long passphrase",
            "confirm": "a new long passphrase",
        },
    )
    assert response.status_code == 303
    assert here.get("/editor/").status_code == 200  # this browser stays signed in
    assert elsewhere.get("/editor/").status_code == 302
    fresh = app.test_client()
    assert post_login(fresh, user.email, PASSWORD).status_code == 400
    assert post_login(fresh, user.email, "a new long passphrase").status_code == 303


def test_production_hash_parameters_when_not_overridden(app):
    app.config.pop("PASSWORD_HASH_METHOD")
    user = User(email="prod@example.com", name="Prod")
    user.set_password("đúng mật khẩu dài")
    assert user.password_hash.startswith(PASSWORD_METHOD + "$")
    assert PASSWORD_METHOD == "scrypt:32768:8:3"
    assert user.check_password("đúng mật khẩu dài")
    assert not user.check_password("đúng mật khẩu dài ")  # no truncation or trimming
    db.session.add(user)
    db.session.commit()
    client = app.test_client()
    assert post_login(client, user.email, "đúng mật khẩu dài").status_code == 303


def test_long_passwords_are_not_truncated(app):
    user = User(email="long@example.com", name="Long")
    password = "x" * 200 + "A"
    user.set_password(password)
    assert user.check_password(password)
    assert not user.check_password("x" * 200 + "B")
    assert not user.check_password("x" * 200)


# ------------------------------------------------------------------ CSRF


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


def test_login_and_logout_require_csrf_token(app_factory, factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    user = factory.user("editor")
    client = app.test_client()
    assert post_login(client, user.email, PASSWORD).status_code == 400
    token = csrf_from(client.get("/login").get_data(as_text=True))
    response = post_login(client, user.email, PASSWORD, data={"csrf_token": token})
    assert response.status_code == 303
    assert client.post("/logout").status_code == 400
    assert client.get("/editor/").status_code == 200  # still signed in
    token = csrf_from(client.get("/editor/").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/editor/").status_code == 302
