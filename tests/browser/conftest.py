"""Headless Chromium (Debian's package) driven by Playwright, against live test servers.

Skipped with a reason when /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (CI), where
a missing browser is a failure. Playwright never downloads a browser here.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _require_or_skip(reason: str) -> None:
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(f"REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        _require_or_skip(
            "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the dev extra installs it
        _require_or_skip("the playwright package is not installed")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=LAUNCH_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


# ---------------------------------------------------------------- helpers for editor tests


def sign_in(page, base_url: str, email: str, password: str, next_path: str = "/editor/") -> None:
    """Sign in through the real login form and land on `next_path`."""
    page.goto(f"{base_url}/login?next={next_path}")
    page.fill("#email", email)
    page.fill("#password", password)
    with page.expect_navigation():
        page.locator("form.login-form button[type=submit]").click()


def watch_errors(page, ignore_missing_uploads: bool = False) -> list[str]:
    """Console errors and uncaught exceptions of a page, collected as they happen.

    A CSP violation shows up here too (Chromium logs it as a console error). With
    `ignore_missing_uploads`, 404s of /uploads/ images (fixture bodies name files that were
    never uploaded) are not counted.
    """
    problems: list[str] = []

    def on_console(message) -> None:
        if message.type != "error":
            return
        where = (message.location or {}).get("url", "")
        if ignore_missing_uploads and "/uploads/" in where:
            return
        if where.endswith("/favicon.ico"):  # the editor layout names no icon
            return
        problems.append(f"console: {message.text} ({where})")

    page.on("console", on_console)
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    return problems


def open_editor(page, url: str) -> None:
    """Open an article form and wait until the TipTap editor is up."""
    page.goto(url)
    page.wait_for_function("() => window.bantinEditor && window.bantinBodyHTML")


def body_html(page) -> str:
    return page.evaluate("() => window.bantinBodyHTML()")


def save_article(page) -> None:
    """Press "Lưu bài viết" and wait for the answer page (the edit page after a redirect)."""
    with page.expect_navigation():
        page.locator("#save-button").click()
    page.wait_for_function("() => window.bantinEditor && window.bantinBodyHTML")
