"""Two-factor sign-in in Chromium against a live server: turn it on from the profile (the code
computed from the key the page shows), keep the recovery codes, sign out; sign in with the
password and a code; sign in with a recovery code, and the same recovery code refused the
second time. Screenshots of the setup page at 1366 and 360 px:
docs/screenshots/two-factor-setup.png and two-factor-setup-360.png."""

import time

import pytest

from bantin import two_factor
from tests.browser.conftest import sign_in, watch_errors
from tests.conftest import PASSWORD, LiveServer, live_app_context

pytestmark = [pytest.mark.browser, pytest.mark.live]

WIDE = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 780}
EMAIL = "lan@example.com"


@pytest.fixture(scope="module")
def site(tmp_path_factory, migrated_db):
    server = LiveServer(tmp_path_factory.mktemp("two-factor"), migrated_db, workers=1)
    with live_app_context(server):
        from bantin.extensions import db
        from bantin.models import Role, SiteSettings, User

        user = User(email=EMAIL, name="Nguyễn Thị Lan", role=Role.EDITOR)
        user.set_password(PASSWORD)
        db.session.add(user)
        SiteSettings.get().site_name = "Bản tin Xã Hòa Bình"
        db.session.commit()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_(viewport):
        context = browser.new_context(viewport=viewport, locale="vi-VN")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        return page

    yield open_
    for context in contexts:
        context.close()


def next_code(secret: str) -> str:
    """The code of the next 30-second step: accepted (one step of drift) and newer than any
    code accepted before it in this test, whenever the step turns."""
    return two_factor.code_at(secret, int(time.time()) // two_factor.STEP_SECONDS + 1)


def _check_qr_reads(png: bytes, secret: str) -> None:
    """What a phone's camera reads from the QR code as drawn: the key shown beside it and the
    site's name as issuer (when a decoder is installed: `pip install zxing-cpp`)."""
    try:
        import zxingcpp
    except ImportError:
        return
    import io

    from PIL import Image

    (found,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))
    assert found.text.startswith("otpauth://totp/")
    assert f"secret={secret}" in found.text
    assert "issuer=B%E1%BA%A3n%20tin%20X%C3%A3%20H%C3%B2a%20B%C3%ACnh" in found.text


def sign_out(page) -> None:
    with page.expect_navigation():
        page.locator("form[action='/logout'] button").click()
    assert "/login" in page.url


def password_then(page, site, answer: str) -> None:
    sign_in(page, site.url, EMAIL, PASSWORD)
    assert "/login/two-factor" in page.url
    assert page.locator("h1").inner_text() == "Xác thực hai bước"
    page.fill("#code", answer)
    with page.expect_navigation():
        page.locator("form.two-factor-form button[type=submit]").click()


def test_two_factor_journey(site, open_page, screenshot_dir):
    page = open_page(WIDE)
    problems = watch_errors(page)
    sign_in(page, site.url, EMAIL, PASSWORD, next_path="/editor/profile")
    assert page.locator("#two-factor .tag").inner_text() == "Chưa bật"
    with page.expect_navigation():
        page.get_by_role("button", name="Bật xác thực hai bước").click()
    assert page.url.endswith("/editor/profile/two-factor/setup")
    qr = page.locator(".tf-qr svg.qr")
    assert qr.is_visible() and qr.bounding_box()["width"] >= 200
    secret = page.locator("#two-factor-secret").inner_text().replace(" ", "")
    assert len(secret) == 32
    page.screenshot(path=str(screenshot_dir / "two-factor-setup.png"), full_page=True)
    _check_qr_reads(qr.screenshot(), secret)

    # The same setup page on a phone (another browser of the same person).
    phone = open_page(PHONE)
    sign_in(phone, site.url, EMAIL, PASSWORD, next_path="/editor/profile/two-factor/setup")
    assert phone.locator("#two-factor-secret").inner_text().replace(" ", "") == secret
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.screenshot(path=str(screenshot_dir / "two-factor-setup-360.png"), full_page=True)

    # A wrong code first: the message, the typed code kept, still off.
    page.fill("#code", "000000" if next_code(secret) != "000000" else "111111")
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận và bật").click()
    assert "Mã không khớp" in page.locator(".field-error").inner_text()
    page.fill("#code", two_factor.code_at(secret, int(time.time()) // 30))
    with page.expect_navigation():
        page.get_by_role("button", name="Xác nhận và bật").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    with page.expect_navigation():
        page.get_by_role("link", name="Tôi đã lưu các mã này").click()
    assert page.locator("#two-factor .tag").inner_text() == "Đang bật"
    sign_out(page)

    # Password, then a code from the app.
    password_then(page, site, next_code(secret))
    assert page.url.rstrip("/").endswith("/editor")
    sign_out(page)

    # Password, then a recovery code (typed in capitals, as read off paper).
    password_then(page, site, codes[0].upper())
    assert page.url.rstrip("/").endswith("/editor")
    assert "Còn 9 mã" in page.locator("body").inner_text()
    sign_out(page)

    # The same recovery code a second time: refused, not signed in.
    password_then(page, site, codes[0])
    assert "/login/two-factor" in page.url
    assert "đã được dùng" in page.locator(".field-error").inner_text()
    page.goto(site.url + "/editor/")
    assert "/login" in page.url
    # Chromium logs the deliberate 400 answers (a wrong code) as failed loads: nothing else.
    expected = "the server responded with a status of 400"
    assert [p for p in problems if expected not in p] == []
    assert len(problems) == 2
