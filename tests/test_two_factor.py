"""Issue 14 §4: optional two-factor sign-in (TOTP) for staff, with recovery codes, the
admins' requirement and the admin's reset."""

import re
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from bantin import two_factor
from bantin.extensions import db
from bantin.models import AuditLog, LoginAttempt, RecoveryCode, SiteSettings, User
from tests.conftest import PASSWORD

T0 = datetime(2026, 3, 10, 8, 0, 0)  # a whole 30-second step
STEP = timedelta(seconds=30)
SETUP = "/editor/profile/two-factor/setup"
START = "/editor/profile/two-factor/start"
RECOVERY = "/editor/profile/two-factor/recovery-codes"
DISABLE = "/editor/profile/two-factor/disable"
SECOND = "/login/two-factor"
WRONG_CODE = "Mã không đúng, đã hết hạn hoặc đã được dùng."


@pytest.fixture
def clock(app):
    """A settable clock: tests move time instead of sleeping."""
    state = {"now": T0}
    app.config["CLOCK"] = lambda: state["now"]
    return state


def code_now(user: User, clock, steps: int = 0) -> str:
    return two_factor.code_at(user.totp_secret, two_factor._step(clock["now"]) + steps)


def enable(user: User, clock) -> list[str]:
    """Turn two-factor on directly (the setup pages have their own tests)."""
    two_factor.begin_setup(user)
    codes = two_factor.confirm_setup(user, code_now(user, clock), clock["now"])
    db.session.commit()
    assert codes is not None
    return codes


def refreshed(user: User) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def password_step(client, user: User, path: str = "/login"):
    return client.post(path, data={"email": user.email, "password": PASSWORD})


def audit_actions() -> list[str]:
    return list(db.session.scalars(sa.select(AuditLog.action).order_by(AuditLog.id)))


# ------------------------------------------------------------------ the module


def test_codes_are_accepted_one_step_either_side_and_never_twice(app, factory, clock):
    user = factory.user()
    enable(user, clock)
    now = clock["now"] + 10 * STEP
    step = two_factor._step(now)
    secret = user.totp_secret
    for offset in (-2, 2):
        assert (
            two_factor.matching_step(secret, two_factor.code_at(secret, step + offset), now, None)
            is None
        )
    assert two_factor.accept_code(user, two_factor.code_at(secret, step - 1), now)
    db.session.commit()
    # The same code, and any code of an older or the same step, is refused from now on.
    assert not two_factor.accept_code(user, two_factor.code_at(secret, step - 1), now)
    assert two_factor.accept_code(
        user,
        " "
        + two_factor.code_at(secret, step + 1)[:3]
        + " "
        + two_factor.code_at(secret, step + 1)[3:],
        now,
    )
    assert not two_factor.accept_code(user, two_factor.code_at(secret, step), now)
    assert refreshed(user).totp_last_step == step + 1


def test_recovery_codes_are_ten_distinct_single_use_and_stored_hashed(app, factory, clock):
    user = factory.user()
    codes = enable(user, clock)
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[2-9a-z]{5}-[2-9a-z]{5}", code) for code in codes)
    stored = set(db.session.scalars(sa.select(RecoveryCode.code_hash)))
    assert len(stored) == 10 and not stored & set(codes)
    assert two_factor.use_recovery_code(user, codes[0].upper().replace("-", " "))
    assert not two_factor.use_recovery_code(user, codes[0])
    db.session.commit()
    assert two_factor.recovery_codes_left(user) == 9


# ------------------------------------------------------------------ setup in the profile


def test_enabling_needs_a_valid_code_and_the_qr_carries_the_secret(client, factory, login, clock):
    user = factory.user(name="Nguyễn Văn An")
    factory.settings(site_name="Bản tin Xã Hòa Bình")
    login(user)
    page = client.get("/editor/profile").get_data(as_text=True)
    assert "Xác thực hai bước" in page and "Chưa bật" in page
    # The setup page before starting: a button, no secret yet (a GET never writes).
    assert "Bắt đầu cài đặt" in client.get(SETUP).get_data(as_text=True)
    assert refreshed(user).totp_secret is None

    response = client.post(START)
    assert response.status_code == 303 and response.headers["Location"].endswith(SETUP)
    user = refreshed(user)
    secret = user.totp_secret
    assert secret and not user.two_factor_enabled
    page = client.get(SETUP).get_data(as_text=True)
    assert two_factor.grouped(secret) in page
    uri = two_factor.provisioning_uri(secret, user.email, "Bản tin Xã Hòa Bình")
    assert "issuer=B%E1%BA%A3n%20tin%20X%C3%A3%20H%C3%B2a%20B%C3%ACnh" in uri
    assert "<svg" in page and str(two_factor.qr_svg(uri, "x")).split("</title>")[1] in page
    assert "<img" not in page.split("tf-qr")[1].split("</div>")[0]  # drawn inline, no request

    # A wrong code: not enabled, the typed code is kept, the message says what to do.
    wrong = two_factor.code_at(secret, two_factor._step(clock["now"]) + 5)
    response = client.post(SETUP, data={"code": wrong})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Mã không khớp" in page and f'value="{wrong}"' in page
    response = client.post(SETUP, data={"code": "12ab"})
    assert "Mã gồm đúng 6 chữ số" in response.get_data(as_text=True)
    assert not refreshed(user).two_factor_enabled

    response = client.post(SETUP, data={"code": code_now(user, clock)})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    codes = re.findall(
        r"<li><code>([2-9a-z]{5}-[2-9a-z]{5})</code></li>", response.get_data(as_text=True)
    )
    assert len(codes) == 10
    user = refreshed(user)
    assert user.two_factor_enabled and user.totp_secret == secret
    assert "two_factor.enable" in audit_actions()
    page = client.get("/editor/profile").get_data(as_text=True)
    assert "Đang bật" in page and "Còn 10 mã khôi phục" in page
    assert codes[0] not in page  # shown once
    # The setup page now leads back to the profile; starting again changes nothing.
    assert client.get(SETUP).status_code == 303
    client.post(START)
    assert refreshed(user).totp_secret == secret


# ------------------------------------------------------------------ sign-in


def test_password_alone_does_not_sign_in_and_the_code_does(client, factory, clock):
    user = factory.user()
    enable(user, clock)
    response = password_step(client, user, "/login?next=/editor/articles")
    assert response.status_code == 303
    assert response.headers["Location"] == f"{SECOND}?next=/editor/articles"
    assert client.get("/editor/").status_code == 302  # not signed in yet
    page = client.get(f"{SECOND}?next=/editor/articles").get_data(as_text=True)
    assert 'action="/login/two-factor?next=/editor/articles"' in page
    assert 'autocomplete="one-time-code"' in page
    # The right password neither failed nor succeeded: its attempt is withdrawn.
    assert db.session.scalar(sa.select(sa.func.count(LoginAttempt.id))) == 0

    clock["now"] += STEP
    response = client.post(f"{SECOND}?next=/editor/articles", data={"code": code_now(user, clock)})
    assert response.status_code == 303 and response.headers["Location"] == "/editor/articles"
    assert client.get("/editor/").status_code == 200
    assert refreshed(user).last_login_at == clock["now"]
    row = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "login.success")).one()
    assert row.detail == "two-factor (totp)"
    assert "login.password_ok" in audit_actions()
    # An unsafe next is dropped, as at the password step.
    assert client.get(f"{SECOND}?next=//evil.example").headers["Location"] == "/editor/"


def test_a_replayed_code_is_refused(client, factory, clock):
    user = factory.user()
    enable(user, clock)
    clock["now"] += STEP
    code = code_now(user, clock)
    password_step(client, user)
    assert client.post(SECOND, data={"code": code}).status_code == 303
    client.post("/logout")
    password_step(client, user)
    response = client.post(SECOND, data={"code": code})
    assert response.status_code == 400
    assert WRONG_CODE in response.get_data(as_text=True)
    assert client.get("/editor/").status_code == 302
    clock["now"] += STEP
    assert client.post(SECOND, data={"code": code_now(user, clock)}).status_code == 303


def test_wrong_codes_count_toward_the_sign_in_lockout(client, factory, clock):
    user = factory.user()
    enable(user, clock)
    password_step(client, user)
    for _ in range(4):
        clock["now"] += timedelta(seconds=1)
        assert client.post(SECOND, data={"code": "000000"}).status_code == 400
    # Typing the password again does not reset the count of wrong codes.
    assert password_step(client, user).headers["Location"] == SECOND
    assert client.post(SECOND, data={"code": "000000"}).status_code == 400
    response = client.post(SECOND, data={"code": code_now(user, clock, 1)})
    assert response.status_code == 429
    assert "thử lại sau 15 phút" in response.get_data(as_text=True)
    # The password step is locked too.
    assert password_step(client, user).status_code == 429
    failures = db.session.scalar(
        sa.select(sa.func.count(LoginAttempt.id)).where(LoginAttempt.success.is_(False))
    )
    assert failures == 5
    rows = db.session.execute(
        sa.select(AuditLog.detail, AuditLog.count).where(
            AuditLog.action == "login.two_factor_failure"
        )
    ).all()
    assert ("wrong code", 5) in [tuple(r) for r in rows]
    # After the lockout, the right code signs in.
    clock["now"] += timedelta(minutes=16)
    password_step(client, user)
    assert client.post(SECOND, data={"code": code_now(user, clock)}).status_code == 303


def test_a_recovery_code_signs_in_once(client, factory, clock):
    user = factory.user()
    codes = enable(user, clock)
    password_step(client, user)
    response = client.post(SECOND, data={"code": codes[3].upper()}, follow_redirects=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "mã khôi phục" in page and "Còn 9 mã" in page
    assert "login.recovery_code" in audit_actions()
    client.post("/logout")
    password_step(client, user)
    response = client.post(SECOND, data={"code": codes[3]})
    assert response.status_code == 400 and WRONG_CODE in response.get_data(as_text=True)
    assert client.post(SECOND, data={"code": codes[4]}).status_code == 303


def test_the_pending_step_expires_after_five_minutes(client, factory, clock):
    user = factory.user()
    enable(user, clock)
    # Without the password step there is nothing to confirm.
    response = client.get(SECOND)
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    password_step(client, user, "/login?next=/editor/media")
    clock["now"] += timedelta(minutes=5, seconds=1)
    response = client.post(f"{SECOND}?next=/editor/media", data={"code": code_now(user, clock)})
    assert response.status_code == 303
    assert response.headers["Location"] == "/login?next=/editor/media"
    page = client.get("/login").get_data(as_text=True)
    assert "hết hạn" in page
    assert client.get("/editor/").status_code == 302
    # A fresh password step works again.
    password_step(client, user)
    assert client.post(SECOND, data={"code": code_now(user, clock)}).status_code == 303


def test_a_reset_while_the_code_is_awaited_ends_the_pending_step(app, client, factory, clock):
    user = factory.user()
    enable(user, clock)
    password_step(client, user)
    user.revoke_sessions()
    db.session.commit()
    assert client.post(SECOND, data={"code": code_now(user, clock)}).status_code == 303
    assert client.get("/editor/").status_code == 302


def test_users_without_two_factor_sign_in_as_before(client, factory, login):
    user = factory.user()
    response = login(user)
    assert response.headers["Location"] == "/editor/"
    assert client.get("/editor/").status_code == 200


# ------------------------------------------------------------------ recovery codes and turning off


def test_disabling_needs_the_password_and_a_current_code(client, factory, login, clock):
    user = factory.user()
    enable(user, clock)
    login_with_code(client, user, clock)
    clock["now"] += STEP
    data = {"disable-password": "wrong password", "disable-code": code_now(user, clock)}
    response = client.post(DISABLE, data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Không xác nhận được mật khẩu hoặc mã" in page
    assert "wrong password" not in page  # a password is never sent back
    clock["now"] += STEP
    data = {"disable-password": PASSWORD, "disable-code": "000000"}
    response = client.post(DISABLE, data=data)
    assert response.status_code == 400 and 'value="000000"' in response.get_data(as_text=True)
    response = client.post(DISABLE, data={"disable-password": PASSWORD})
    assert "Vui lòng nhập mã 6 chữ số" in response.get_data(as_text=True)
    assert refreshed(user).two_factor_enabled
    data = {"disable-password": PASSWORD, "disable-code": code_now(user, clock)}
    response = client.post(DISABLE, data=data)
    assert response.status_code == 303
    user = refreshed(user)
    assert not user.two_factor_enabled and user.totp_secret is None
    assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 0
    assert "two_factor.disable" in audit_actions()
    assert audit_actions().count("two_factor.failure") >= 1


def test_new_recovery_codes_need_a_code_or_the_password(client, factory, clock):
    user = factory.user()
    old = enable(user, clock)
    login_with_code(client, user, clock)
    response = client.post(RECOVERY, data={})
    assert response.status_code == 400
    assert "Nhập mã 6 chữ số trên ứng dụng hoặc mật khẩu" in response.get_data(as_text=True)
    response = client.post(RECOVERY, data={"recovery-password": "nope nope"})
    assert response.status_code == 400
    response = client.post(RECOVERY, data={"recovery-password": PASSWORD})
    assert response.status_code == 200
    new = re.findall(r"<code>([2-9a-z]{5}-[2-9a-z]{5})</code>", response.get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    assert not two_factor.use_recovery_code(refreshed(user), old[0])
    db.session.rollback()
    clock["now"] += STEP
    response = client.post(RECOVERY, data={"recovery-code": code_now(user, clock)})
    assert response.status_code == 200 and "two_factor.recovery_codes" in audit_actions()


def login_with_code(client, user: User, clock) -> None:
    clock["now"] += STEP
    password_step(client, user)
    assert client.post(SECOND, data={"code": code_now(user, clock)}).status_code == 303


# ------------------------------------------------------------------ admins


def test_an_admin_sees_who_has_two_factor_and_resets_it(client, factory, login, clock):
    admin = factory.user("admin", name="Quản Trị")
    editor = factory.user("editor", name="Lê Thị Hoa")
    enable(editor, clock)
    version = editor.session_version
    login(admin)
    page = client.get("/editor/users").get_data(as_text=True)
    row = page.split(f'id="user-{editor.id}"')[1].split("</tr>")[0]
    assert "Đã bật" in row and f"/editor/users/{editor.id}/two-factor/reset" in row
    own = page.split(f'id="user-{admin.id}"')[1].split("</tr>")[0]
    assert "Chưa bật" in own and "two-factor/reset" not in own
    response = client.post(f"/editor/users/{editor.id}/two-factor/reset")
    assert response.status_code == 303
    editor = refreshed(editor)
    assert not editor.two_factor_enabled and editor.totp_secret is None
    assert editor.session_version == version + 1
    assert db.session.scalar(sa.select(sa.func.count(RecoveryCode.id))) == 0
    row = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "two_factor.reset")).one()
    assert row.target_id == editor.id and row.user_id == admin.id
    # Not one's own (the profile asks for the password and a code).
    assert client.post(f"/editor/users/{admin.id}/two-factor/reset").status_code == 400


def test_only_admins_reset_two_factor(client, factory, login, clock):
    editor = factory.user("editor")
    other = factory.user("editor")
    enable(other, clock)
    login(editor)
    assert client.post(f"/editor/users/{other.id}/two-factor/reset").status_code == 403
    assert refreshed(other).two_factor_enabled


def test_the_requirement_sends_admins_without_two_factor_to_its_setup(
    client, factory, login, clock
):
    admin = factory.user("admin")
    editor = factory.user("editor")
    factory.settings(two_factor_required_for_admins=True)
    login(admin)
    for path in ("/editor/", "/editor/settings", "/editor/users", "/editor/articles"):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"] == SETUP
    page = client.get(SETUP).get_data(as_text=True)
    assert "yêu cầu quản trị viên đăng nhập bằng xác thực hai bước" in page
    assert client.get("/editor/profile").status_code == 200
    assert client.post(START).status_code == 303
    static = client.get("/static/css/two-factor.css")
    assert static.status_code == 200
    static.close()
    # Once set up, every page opens.
    response = client.post(SETUP, data={"code": code_now(refreshed(admin), clock)})
    assert response.status_code == 200
    assert client.get("/editor/settings").status_code == 200
    assert client.post("/logout").status_code == 303
    # Editors are not concerned by the admins' requirement.
    login(editor)
    assert client.get("/editor/").status_code == 200


def test_an_admin_without_two_factor_cannot_require_it(client, factory, login, clock):
    from tests.test_editor_site import SETTINGS

    admin = factory.user("admin")
    login(admin)
    page = client.get("/editor/settings").get_data(as_text=True)
    assert "Bắt buộc quản trị viên dùng xác thực hai bước" in page
    data = dict(SETTINGS, two_factor_required_for_admins="y")
    response = client.post("/editor/settings", data=data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Bạn cần bật xác thực hai bước cho chính tài khoản của mình" in page
    assert f'value="{SETTINGS["site_name"]}"' in page  # what was typed stays
    db.session.expire_all()
    assert not SiteSettings.get().two_factor_required_for_admins
    enable(refreshed(admin), clock)
    assert client.post("/editor/settings", data=data).status_code == 303
    db.session.expire_all()
    assert SiteSettings.get().two_factor_required_for_admins
    detail = db.session.scalars(
        sa.select(AuditLog.detail).where(AuditLog.action == "settings.update")
    ).all()[-1]
    assert "two_factor_required_for_admins" in detail
    # And off again.
    assert client.post("/editor/settings", data=SETTINGS).status_code == 303
    db.session.expire_all()
    assert not SiteSettings.get().two_factor_required_for_admins


# ------------------------------------------------------------------ CSRF


def test_every_two_factor_form_needs_its_csrf_token(app_factory, factory, clock):
    app = app_factory(WTF_CSRF_ENABLED=True, CLOCK=lambda: clock["now"])
    admin = factory.user("admin")
    editor = factory.user("editor")
    enable(editor, clock)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    data = {"email": editor.email, "password": PASSWORD, "csrf_token": token}
    assert client.post("/login", data=data).headers["Location"] == SECOND
    assert client.post(SECOND, data={"code": code_now(editor, clock)}).status_code == 400
    page = client.get(SECOND).get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    clock["now"] += STEP
    data = {"code": code_now(editor, clock), "csrf_token": token}
    assert client.post(SECOND, data=data).status_code == 303

    clock["now"] += STEP
    code = code_now(editor, clock)
    assert client.post(RECOVERY, data={"recovery-code": code}).status_code == 400
    assert (
        client.post(DISABLE, data={"disable-password": PASSWORD, "disable-code": code}).status_code
        == 400
    )
    assert refreshed(editor).two_factor_enabled

    other = app.test_client()
    page = other.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    other.post("/login", data={"email": admin.email, "password": PASSWORD, "csrf_token": token})
    assert other.post(START).status_code == 400
    assert refreshed(admin).totp_secret is None
    assert other.post(SETUP, data={"code": "123456"}).status_code == 400
    assert other.post(f"/editor/users/{editor.id}/two-factor/reset").status_code == 400
    assert refreshed(editor).two_factor_enabled


# ------------------------------------------------------------------ the migration


def test_migration_0010_up_and_down(app_factory, tmp_path):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'tf.db'}")
    with app.app_context():
        upgrade(revision="0010")
        inspector = sa.inspect(db.engine)
        columns = {c["name"] for c in inspector.get_columns("user")}
        assert {"totp_secret", "totp_enabled_at", "totp_last_step"} <= columns
        assert "recovery_code" in inspector.get_table_names()
        settings = {c["name"] for c in inspector.get_columns("site_settings")}
        assert "two_factor_required_for_admins" in settings
        with db.engine.connect() as conn:
            value = conn.execute(
                sa.text("SELECT two_factor_required_for_admins FROM site_settings")
            ).scalar_one()
        assert value in (0, False)
        downgrade(revision="0009")
        inspector = sa.inspect(db.engine)
        assert "totp_secret" not in {c["name"] for c in inspector.get_columns("user")}
        assert "recovery_code" not in inspector.get_table_names()
        upgrade(revision="0010")
        db.engine.dispose()


# ------------------------------------------------------------------ the operator's reset


def test_the_command_line_turns_two_factor_off(app, runner, factory, clock):
    user = factory.user("admin", email="quantri@example.com")
    enable(user, clock)
    version = user.session_version
    result = runner.invoke(args=["two-factor-reset", "QuanTri@Example.com"])
    assert result.exit_code == 0, result.output
    assert "turned off" in result.output
    user = refreshed(user)
    assert not user.two_factor_enabled and user.session_version == version + 1
    row = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "two_factor.reset")).one()
    assert row.actor == "flask two-factor-reset"
    result = runner.invoke(args=["two-factor-reset", "quantri@example.com"])
    assert "nothing changed" in result.output
    result = runner.invoke(args=["two-factor-reset", "nobody@example.com"])
    assert result.exit_code != 0 and "No user" in result.output
