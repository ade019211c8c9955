"""Security headers on pages, errors, redirects, static files and uploads; cookie flags."""

import re
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from bantin.web.headers import CSP, EDITOR_CSP, UPLOADS_CSP

ROOT = Path(__file__).resolve().parents[2]

EXPECTED = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}


def assert_security_headers(response, csp: str | None = None) -> None:
    if csp is None:
        # Editor pages also allow blob: images (the upload preview); nothing else differs.
        editor = response.request.path.startswith("/editor") if response.request else False
        csp = EDITOR_CSP if editor else CSP
    assert "unsafe-inline" not in csp
    for name, value in EXPECTED.items():
        expected = csp if name == "Content-Security-Policy" else value
        assert response.headers.get(name) == expected, (name, response.status_code)
    assert "camera=()" in response.headers.get("Permissions-Policy", "")
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP
    assert "X-Powered-By" not in response.headers
    assert "Server" not in response.headers  # the app never names itself


@pytest.fixture
def site(app_factory):
    """An app with two extra routes: one that crashes and one whose database is locked."""
    app = app_factory(RENDER_500_IN_TESTS=True)

    @app.get("/_boom")
    def _boom():
        raise RuntimeError("kaboom: secret detail")

    @app.get("/_locked")
    def _locked():
        raise OperationalError("UPDATE x", {}, Exception("database is locked"))

    with app.app_context():
        yield app


def test_csp_has_no_unsafe_inline():
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert part in CSP
    assert "form-action 'self'" in CSP and "script-src 'self'" in CSP


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/", 200),
        ("/healthz", 200),
        ("/robots.txt", 200),
        ("/feed.xml", 200),
        ("/sitemap.xml", 200),
        ("/search?q=tin", 200),
        ("/login", 200),
        ("/no-such-page", 404),
        ("/article/9223372036854775808", 404),
        ("/logout", 405),
        ("/editor/", 302),
        ("/static/css/site.css", 200),
        ("/static/no-such-file.css", 404),
        ("/uploads/no-such-file.jpg", 404),
        ("/_boom", 500),
        ("/_locked", 503),
        ("/category/x?page=%00", 400),
    ],
)
def test_headers_on_every_kind_of_response(site, path, status):
    with site.test_client().get(path, buffered=True) as response:
        response.get_data()
        assert response.status_code == status, path
        assert_security_headers(response)


def test_headers_on_article_pages_and_redirects(site, factory):
    article = factory.article()
    client = site.test_client()
    page = client.get(f"/article/{article.id}/{article.slug}")
    assert page.status_code == 200
    assert_security_headers(page)
    redirect = client.get(f"/article/{article.id}")
    assert redirect.status_code == 301
    assert_security_headers(redirect)
    category = client.get(f"/category/{article.category.slug}")
    assert category.status_code == 200
    assert_security_headers(category)


def test_error_pages_leak_no_traceback(site):
    response = site.test_client().get("/_boom")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "kaboom" not in body and "Traceback" not in body and "RuntimeError" not in body
    locked = site.test_client().get("/_locked")
    assert locked.status_code == 503
    assert "database is locked" not in locked.get_data(as_text=True)
    assert "Tạm thời không thể lưu dữ liệu" in locked.get_data(as_text=True)


def test_too_large_request_is_413_with_headers(app_factory):
    app = app_factory(MAX_CONTENT_LENGTH=1024)
    response = app.test_client().post("/login", data={"email": "x" * 4096, "password": "p"})
    assert response.status_code == 413
    assert_security_headers(response)


def test_uploads_are_sandboxed(site, tmp_path):
    folder = Path(site.config["UPLOAD_FOLDER"]) / "2024" / "01"
    folder.mkdir(parents=True)
    (folder / "abc-800.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (folder / "evil.html").write_text("<script>alert(1)</script>")
    client = site.test_client()
    with client.get("/uploads/2024/01/abc-800.jpg") as image:
        assert image.status_code == 200
        assert_security_headers(image, UPLOADS_CSP)
        assert "max-age=31536000" in image.headers["Cache-Control"]
    with client.get("/uploads/2024/01/evil.html") as html:
        # Even a stray HTML file would run sandboxed, in a unique origin, with no scripts.
        assert html.headers["Content-Security-Policy"] == UPLOADS_CSP
    traversal = client.get("/uploads/../instance/secret_key")
    assert traversal.status_code == 404


def test_hsts_and_secure_cookies_over_https(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.get("/login", base_url="https://news.example.org")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    cookies = response.headers.getlist("Set-Cookie")
    session = [c for c in cookies if c.startswith("session=")]
    assert session, cookies
    for cookie in cookies:
        attributes = {a.strip().split("=")[0].lower() for a in cookie.split(";")[1:]}
        assert {"secure", "httponly"} <= attributes, cookie
        assert "samesite=lax" in cookie.lower(), cookie


def test_cookies_over_http_are_httponly_lax_and_not_secure(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    response = app.test_client().get("/login")
    assert "Strict-Transport-Security" not in response.headers
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("session=") for c in cookies)
    for cookie in cookies:
        lowered = cookie.lower()
        assert "httponly" in lowered and "samesite=lax" in lowered
        assert "; secure" not in lowered


def test_secure_flag_is_not_doubled(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True, SESSION_COOKIE_SECURE=True)
    response = app.test_client().get("/login", base_url="https://news.example.org")
    for cookie in response.headers.getlist("Set-Cookie"):
        assert cookie.lower().count("secure") == 1, cookie


# Inline script or style would need 'unsafe-inline'; the CSP forbids both.
# A JSON data block (type="application/json") is not run, so the CSP does not concern it.
INLINE_SCRIPT = re.compile(
    r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.I
)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.I)
JS_URL = re.compile(r"""(href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


@pytest.mark.parametrize(
    "template", sorted(ROOT.glob("templates/**/*.html")), ids=lambda p: str(p.relative_to(ROOT))
)
def test_templates_need_no_unsafe_inline(template):
    text = template.read_text(encoding="utf-8")
    for pattern in (INLINE_SCRIPT, INLINE_HANDLER, STYLE_ATTRIBUTE, STYLE_BLOCK, JS_URL):
        match = pattern.search(text)
        assert match is None, f"{template.name}: {match.group(0)[:80]}"
