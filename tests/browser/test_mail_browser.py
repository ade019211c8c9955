"""The password reset journey in Chromium against a live server and a real SMTP server:
"Quên mật khẩu?" on the sign-in page, the request, the mail read from the SMTP server,
the link opened, the password set, signing in with it; then the same again with a second
link (the first one no longer works). An admin invites a colleague the same way. Pages
at 1366 px and 360 px, axe on the public pages. Screenshots: docs/screenshots/mail-*.png."""

import ast

import pytest

from bantin.mail import send_due
from tests.browser.conftest import sign_in, watch_errors
from tests.browser.test_accessibility import axe_violations
from tests.conftest import PASSWORD, LiveServer, live_app_context
from tests.mail_server import SMTPServer, parts, reset_link

pytestmark = [pytest.mark.browser, pytest.mark.live]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 780}
EMAIL = "lan@example.com"
ADMIN = "quantri@example.com"


@pytest.fixture(scope="module")
def smtp():
    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory, migrated_db, smtp):
    server = LiveServer(tmp_path_factory.mktemp("mail"), migrated_db, workers=1)
    config = ast.literal_eval(server.env["BANTIN_TEST_CONFIG"])
    # Links point at the live server; the reset's rate limits count as in production.
    config |= smtp.config(MAIL_SITE_URL=server.url)
    server.env["BANTIN_TEST_CONFIG"] = repr(config)
    with live_app_context(server):
        from bantin.extensions import db
        from bantin.models import Role, User

        for email, name, role in (
            (EMAIL, "Nguyễn Thị Lan", Role.EDITOR),
            (ADMIN, "Trần Quản Trị", Role.ADMIN),
        ):  # noqa: E501
            user = User(email=email, name=name, role=role)
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.commit()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_(viewport, **kw):
        context = browser.new_context(viewport=viewport, locale="vi-VN", **kw)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_
    for context in contexts:
        context.close()


def _send_and_read(site, smtp, count: int):
    with live_app_context(site):
        assert send_due().sent == 1
    return smtp.inbox.wait_for(count)[count - 1]


def _request_link(page, site, smtp, count: int) -> str:
    page.goto(site.url + "/login")
    with page.expect_navigation():
        page.get_by_role("link", name="Quên mật khẩu?").click()
    page.fill("#email", EMAIL.upper())
    with page.expect_navigation():
        page.get_by_role("button", name="Gửi liên kết").click()
    assert "Nếu email này thuộc một tài khoản" in page.locator("#reset-sent").inner_text()
    message = _send_and_read(site, smtp, count)
    assert message["Subject"] == "Đặt lại mật khẩu tại Bản tin"
    link = reset_link(message)
    assert link.startswith(site.url + "/login/reset/")
    assert link in parts(message)[1]
    return link


def _set_password(page, link: str, password: str) -> None:
    page.goto(link)
    assert page.locator("h1").inner_text() == "Đặt mật khẩu mới"
    page.fill("#password", password)
    page.fill("#password_confirm", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu mật khẩu").click()
    assert page.url.endswith("/login")
    assert "Đã đặt mật khẩu mới" in page.content()


def test_reset_journey_twice(site, smtp, open_page, screenshot_dir):
    page = open_page(WIDE)
    problems = watch_errors(page)
    link = _request_link(page, site, smtp, 1)
    page.screenshot(path=str(screenshot_dir / "mail-reset-request.png"))

    # A mismatch is answered by the field and nothing is saved.
    page.goto(link)
    page.fill("#password", "mật khẩu thứ nhất")
    page.fill("#password_confirm", "khác")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu mật khẩu").click()
    assert "Hai mật khẩu không giống nhau." in page.locator("#password_confirm-error").inner_text()
    assert page.locator("#password").input_value() == ""
    page.screenshot(path=str(screenshot_dir / "mail-reset-password.png"))

    _set_password(page, link, "mật khẩu thứ nhất")
    sign_in(page, site.url, EMAIL, "mật khẩu thứ nhất")
    assert page.url.endswith("/editor/")

    # The used link is spent; a second request gives a second link that works too.
    page.goto(link)
    assert page.locator("h1").inner_text() == "Liên kết không còn dùng được"
    other = open_page(WIDE)
    second = _request_link(other, site, smtp, 2)
    assert second != link
    _set_password(other, second, "mật khẩu thứ hai")
    # The first browser's session ended with the second reset.
    page.goto(site.url + "/editor/")
    assert "/login" in page.url
    sign_in(other, site.url, EMAIL, "mật khẩu thứ nhất")
    assert "/login" in other.url  # the old password no longer works
    sign_in(other, site.url, EMAIL, "mật khẩu thứ hai")
    assert other.url.endswith("/editor/")
    # The answers 400 (a mismatch, a wrong password) and 404 (the spent link) are meant.
    assert [p for p in problems if "status of 40" not in p] == []


def test_reset_pages_on_a_phone(site, smtp, open_page, screenshot_dir):
    page = open_page(PHONE)
    page.goto(site.url + "/login/reset")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(screenshot_dir / "mail-reset-request-360.png"), full_page=True)
    with live_app_context(site):
        from bantin.extensions import db
        from bantin.mail import accounts
        from bantin.models import TokenPurpose, User

        user = db.session.query(User).filter_by(email=ADMIN).one()
        raw = accounts.issue(user, TokenPurpose.RESET)
        db.session.commit()
    page.goto(f"{site.url}/login/reset/{raw}")
    assert page.locator("#password").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.screenshot(path=str(screenshot_dir / "mail-reset-password-360.png"), full_page=True)


def test_an_admin_invites_a_colleague_who_sets_a_password(site, smtp, open_page, screenshot_dir):
    admin = open_page(WIDE)
    problems = watch_errors(admin)
    sign_in(admin, site.url, ADMIN, PASSWORD, "/editor/users/new")
    admin.fill("#email", "moi@example.com")
    admin.fill("#name", "Lê Văn Mới")
    admin.select_option("#language", "en")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Tạo và gửi lời mời").click()
    assert "Đã gửi thư mời đến moi@example.com" in admin.locator("#invite-result").inner_text()
    admin.screenshot(path=str(screenshot_dir / "mail-invited.png"))

    admin.goto(site.url + "/editor/mail")
    assert "Thư điện tử đang bật." in admin.locator("#mail-state").inner_text()
    assert "You are invited to edit" in admin.content()
    count = len(smtp.inbox.messages) + 1
    message = _send_and_read(site, smtp, count)
    assert message["Subject"] == "You are invited to edit Bản tin"
    admin.reload()
    admin.screenshot(path=str(screenshot_dir / "mail-editor.png"), full_page=True)

    newcomer = open_page(WIDE)
    newcomer.goto(reset_link(message))
    assert newcomer.locator("h1").inner_text() == "Đặt mật khẩu cho tài khoản mới"
    newcomer.fill("#password", "mật khẩu người mới")
    newcomer.fill("#password_confirm", "mật khẩu người mới")
    with newcomer.expect_navigation():
        newcomer.get_by_role("button", name="Lưu mật khẩu").click()
    sign_in(newcomer, site.url, "moi@example.com", "mật khẩu người mới")
    assert newcomer.url.endswith("/editor/")
    assert problems == []


def test_reset_pages_have_no_wcag_violations(site, open_page):
    page = open_page(WIDE, bypass_csp=True)
    with live_app_context(site):
        from bantin.extensions import db
        from bantin.mail import accounts
        from bantin.models import TokenPurpose, User

        user = db.session.query(User).filter_by(email=ADMIN).one()
        raw = accounts.issue(user, TokenPurpose.RESET)
        db.session.commit()
    for path in ("/login", "/login/reset", f"/login/reset/{raw}", "/login/reset/" + "x" * 43):
        page.goto(site.url + path)
        assert axe_violations(page) == [], path


# ------------------------------------------------------------------ mail off


@pytest.fixture(scope="module")
def site_without_mail(tmp_path_factory, migrated_db):
    server = LiveServer(tmp_path_factory.mktemp("nomail"), migrated_db, workers=1)
    with live_app_context(server):
        from bantin.extensions import db
        from bantin.models import Role, User

        user = User(email=ADMIN, name="Trần Quản Trị", role=Role.ADMIN)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    server.start()
    yield server
    server.stop()


def test_with_mail_off_the_admin_hands_over_the_link(site_without_mail, open_page, screenshot_dir):
    site = site_without_mail
    admin = open_page(WIDE)
    problems = watch_errors(admin)
    sign_in(admin, site.url, ADMIN, PASSWORD, "/editor/users")
    assert "Thư điện tử đang tắt" in admin.locator("#mail-off-note").inner_text()
    admin.goto(site.url + "/editor/users/new")
    admin.fill("#email", "moi@example.com")
    admin.fill("#name", "Lê Văn Mới")
    with admin.expect_navigation():
        admin.get_by_role("button", name="Tạo và gửi lời mời").click()
    link = admin.locator("#invite-link").inner_text().strip()
    assert link.startswith(site.url + "/login/reset/")
    admin.screenshot(path=str(screenshot_dir / "mail-off-invited.png"))
    admin.goto(site.url + "/editor/mail")
    assert "Thư điện tử đang tắt." in admin.locator("#mail-state").inner_text()

    # The newcomer opens the handed-over link, sets a password, signs in.
    newcomer = open_page(PHONE)
    newcomer.goto(link)
    assert newcomer.locator("h1").inner_text() == "Đặt mật khẩu cho tài khoản mới"
    newcomer.fill("#password", "mật khẩu người mới")
    newcomer.fill("#password_confirm", "mật khẩu người mới")
    with newcomer.expect_navigation():
        newcomer.get_by_role("button", name="Lưu mật khẩu").click()
    sign_in(newcomer, site.url, "moi@example.com", "mật khẩu người mới")
    assert newcomer.url.endswith("/editor/")

    # The reset page tells readers to ask an administrator.
    newcomer.goto(site.url + "/login/reset")
    assert "chưa được cấu hình gửi thư" in newcomer.content()
    assert newcomer.locator("#email").count() == 0

    # The admin's mail page on a phone: nothing sticks out sideways.
    phone = open_page(PHONE)
    sign_in(phone, site.url, ADMIN, PASSWORD, "/editor/mail")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    phone.screenshot(path=str(screenshot_dir / "mail-off-editor-360.png"), full_page=True)
    assert problems == []
