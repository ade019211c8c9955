"""The shipped nginx site (deploy/nginx-bantin.conf) in front of a real gunicorn.

Debian's nginx runs the file as shipped, with only the machine-specific parts rewritten:
loopback ports instead of 80/443, a throw-away self-signed certificate instead of Let's
Encrypt's, and temporary folders instead of /srv/bantin and /var/log. Skipped when nginx
is not installed, unless REQUIRE_NGINX=1.
"""

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bantin.web.headers import CSP, EDITOR_CSP, UPLOADS_CSP
from tests.conftest import ROOT, LiveServer, free_port
from tests.faults.scenarios import LIVE_CONFIG, make_article
from tests.faults.support import Browser, post_comment, query

pytestmark = pytest.mark.live

NGINX = "/usr/sbin/nginx"
SITE = ROOT / "deploy" / "nginx-bantin.conf"


def _require(binary: str, package: str) -> None:
    if shutil.which(binary) is None and not Path(binary).exists():
        if os.environ.get("REQUIRE_NGINX") == "1":
            pytest.fail(f"{binary} is missing (apt-get install -y {package})")
        pytest.skip(f"{binary} is not installed (apt-get install -y {package})")


def rewrite_site(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text, f"deploy/nginx-bantin.conf no longer contains {old!r}"
        text = text.replace(old, new)
    return text


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("nginx exited during start-up")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)  # readiness polling only
    raise RuntimeError("nginx did not start listening")


class ShippedGunicorn(LiveServer):
    """gunicorn started with deploy/gunicorn.conf.py itself (test settings for the app)."""

    def start(self) -> "ShippedGunicorn":
        env = {
            **self.env,
            "BANTIN_GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "BANTIN_GUNICORN_ACCESSLOG": str(self.tmp_path / "gunicorn-access.log"),
            "BANTIN_GUNICORN_LOGLEVEL": "warning",
        }
        cmd = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
        self.proc = subprocess.Popen([*cmd, "tests.live_app:app"], cwd=ROOT, env=env)
        self._wait_ready()
        return self


@pytest.fixture
def stack(tmp_path, migrated_db):
    _require(NGINX, "nginx")
    _require("openssl", "openssl")
    server = ShippedGunicorn(tmp_path, migrated_db, PROXY_COUNT=1, **LIVE_CONFIG).start()
    try:
        yield from _with_nginx(tmp_path, server)
    finally:
        server.stop()


def _with_nginx(tmp_path, server):
    root = tmp_path / "nginx"
    (root / "acme" / ".well-known" / "acme-challenge").mkdir(parents=True)
    (root / "acme" / ".well-known" / "acme-challenge" / "token123").write_text("proof")
    uploads = tmp_path / "uploads"
    uploads.mkdir(exist_ok=True)
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=news.example.org",
            "-keyout", str(root / "key.pem"), "-out", str(root / "cert.pem"),
        ],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    http_port, https_port = free_port(), free_port()
    site = rewrite_site(
        SITE.read_text(),
        {
            "    listen [::]:80;\n": "",
            "    listen [::]:443 ssl http2;\n": "",
            "listen 80;": f"listen 127.0.0.1:{http_port};",
            "listen 443 ssl http2;": f"listen 127.0.0.1:{https_port} ssl http2;",
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{server.port};",
            "/etc/letsencrypt/live/news.example.org/fullchain.pem": str(root / "cert.pem"),
            "/etc/letsencrypt/live/news.example.org/privkey.pem": str(root / "key.pem"),
            "/var/www/letsencrypt": str(root / "acme"),
            "/srv/bantin/static/": f"{ROOT / 'static'}/",
            "/srv/bantin/instance/uploads/": f"{uploads}/",
            "/var/log/nginx/bantin.access.log": str(root / "access.log"),
            "/var/log/nginx/bantin.error.log": str(root / "error.log"),
            "/var/log/nginx/bantin.views.log": str(root / "views.log"),
            "/var/cache/nginx/bantin": str(root / "cache"),
        },
    )
    (root / "bantin.conf").write_text(site)
    user = "user root;\n" if os.geteuid() == 0 else ""  # workers must read the temp dirs
    temp_paths = "".join(
        f"  {kind}_temp_path {root / kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    (root / "nginx.conf").write_text(
        f"{user}worker_processes 1;\ndaemon off;\npid {root / 'nginx.pid'};\n"
        f"error_log {root / 'error.log'} warn;\nevents {{ worker_connections 256; }}\n"
        f"http {{\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  access_log {root / 'access.log'};\n{temp_paths}  include {root / 'bantin.conf'};\n}}\n"
    )
    args = [NGINX, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "error.log")]
    checked = subprocess.run([*args, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen(args, stderr=subprocess.PIPE)
    try:
        _wait_port(https_port, proc)
        yield {
            "server": server,
            "https": f"https://127.0.0.1:{https_port}",
            "http": f"http://127.0.0.1:{http_port}",
            "uploads": uploads,
        }
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stderr:
            proc.stderr.close()


def _once(reply, name: str) -> str:
    values = reply.headers.get_all(name) or []
    assert len(values) == 1, f"{name}: {values}"
    return values[0]


def assert_headers(reply, csp: str = CSP, hsts: bool = True) -> None:
    assert _once(reply, "Content-Security-Policy") == csp
    assert _once(reply, "X-Content-Type-Options") == "nosniff"
    assert _once(reply, "X-Frame-Options") == "DENY"
    assert _once(reply, "Referrer-Policy") == "strict-origin-when-cross-origin"
    assert "camera=()" in _once(reply, "Permissions-Policy")
    if hsts:
        assert _once(reply, "Strict-Transport-Security").startswith("max-age=31536000")
    assert reply.headers.get("Server") == "nginx"  # no version, no gunicorn


def test_nginx_in_front_of_gunicorn(stack):
    server = stack["server"]
    article = make_article(server)
    browser = Browser(stack["https"], insecure_tls=True)

    # Plain HTTP: ACME challenges answered, everything else sent to HTTPS.
    plain = Browser(stack["http"])
    assert plain.get("/.well-known/acme-challenge/token123").text == "proof"
    moved = plain.get("/article/1")
    assert moved.status == 301
    assert moved.headers["Location"].startswith("https://127.0.0.1/article/1")

    # App pages through the proxy: headers once each, HSTS (the app sees https).
    home = browser.get("/")
    assert home.status == 200
    assert_headers(home)
    assert all("Secure" in c for c in home.headers.get_all("Set-Cookie") or [])
    # Links the app builds keep the port the reader used: nginx passes the browser's Host
    # ($http_host), not $host, which drops a non-default port.
    feed = browser.get("/feed.xml")
    assert feed.status == 200
    assert f"<link>{stack['https']}/</link>" in feed.text
    assert f"{stack['https']}/article/" in feed.text
    missing = browser.get("/no-such-page")
    assert missing.status == 404
    assert_headers(missing)

    # Static files from disk, cached for a week, with the same headers.
    css = browser.get("/static/css/site.css")
    assert css.status == 200
    assert css.body == (ROOT / "static" / "css" / "site.css").read_bytes()
    assert _once(css, "Cache-Control") == "public, max-age=604800"
    assert_headers(css)

    # Uploads: images served sandboxed and immutable; anything else refused.
    folder = stack["uploads"] / "2024" / "01"
    folder.mkdir(parents=True)
    (folder / "abc-800.jpg").write_bytes(b"\xff\xd8\xff\xe0fake")
    (folder / "page.html").write_text("<script>alert(1)</script>")
    image = browser.get("/uploads/2024/01/abc-800.jpg")
    assert image.status == 200 and image.body == b"\xff\xd8\xff\xe0fake"
    assert image.headers["Content-Type"] == "image/jpeg"
    assert "immutable" in _once(image, "Cache-Control")
    assert_headers(image, csp=UPLOADS_CSP)
    assert browser.get("/uploads/2024/01/page.html").status == 404
    assert browser.get("/uploads/").status == 404
    assert browser.get("/uploads/../deploy/nginx-bantin.conf").status in (400, 404)

    # Bodies over 16 MiB stop at nginx with a 413 that still carries the headers.
    too_big = browser.post("/login", b"x" * (16 * 1024 * 1024 + 1))
    assert too_big.status == 413
    assert_headers(too_big)

    # A comment through the proxy: 303, stored, with the reader's address as nginx saw it
    # (a client's own X-Forwarded-For is overwritten, not trusted).
    page, reply = post_comment(
        browser, article, "Ý kiến gửi qua nginx.", headers={"X-Forwarded-For": "6.6.6.6"}
    )
    assert page.status == 200 and reply is not None
    assert reply.status == 303, reply.text[:500]
    assert reply.headers["Location"].startswith("/article/")
    rows = query(server.db_path, "SELECT content, ip FROM comment")
    assert [r[0] for r in rows] == ["Ý kiến gửi qua nginx."]
    assert rows[0][1].startswith("127.0.0.") and "6.6.6" not in rows[0][1]
    # gunicorn's access log (deploy/gunicorn.conf.py format) names the reader and the path.
    log = (server.tmp_path / "gunicorn-access.log").read_text()
    assert '"GET /static/' not in log  # nginx served those
    assert '127.0.0.1 "GET /article/' in log  # the reader's address, as nginx passed it


def test_nginx_passes_attachments_to_the_app(stack):
    """Documents: uploaded through nginx up to 20 MiB (other routes stop at 16), downloaded
    through nginx with the app's Content-Disposition carrying the Vietnamese name."""
    from urllib.parse import quote

    from werkzeug.datastructures import FileStorage
    from werkzeug.test import encode_multipart

    from bantin.extensions import db
    from bantin.models import Role, User
    from tests.conftest import PASSWORD, live_app_context
    from tests.test_attachments import make_pdf

    server = stack["server"]
    with live_app_context(server):
        user = User(email="vanthu@example.com", name="Văn thư", role=Role.EDITOR)
        user.set_password(PASSWORD)
        db.session.add(user)
        db.session.commit()
    browser = Browser(stack["https"], insecure_tls=True)
    signed_in = browser.post("/login", {"email": "vanthu@example.com", "password": PASSWORD})
    assert signed_in.status in (302, 303), signed_in.text[:300]

    name = "Quyết định số 15 (bản ký số).pdf"
    pdf = make_pdf(padding=17 * 1024 * 1024)  # over the 16 MiB every other route allows
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(pdf), name)})
    headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
    uploaded = browser.request("POST", "/editor/uploads", body, headers=headers, timeout=60)
    assert uploaded.status == 201, uploaded.text[:300]
    answer = json.loads(uploaded.text)
    assert answer["kind"] == "file" and answer["size"] == len(pdf)

    download = browser.get(answer["url"], timeout=60)
    assert download.status == 200 and download.body == pdf
    disposition = _once(download, "Content-Disposition")
    assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
    assert download.headers["Content-Type"] == "application/pdf"
    assert_headers(download, csp=UPLOADS_CSP)
    assert browser.get("/uploads/files/2026/01/" + "0" * 32 + ".pdf").status == 404

    # Over the attachment limit, nginx answers 413 itself (with the headers).
    too_big = browser.request(
        "POST", "/editor/uploads", b"x" * (22 * 1024 * 1024), headers=headers, timeout=60
    )
    assert too_big.status == 413
    assert_headers(too_big)


def test_nginx_compresses_text_and_serves_the_favicon(stack):
    """gzip for pages, CSS and feeds (Lighthouse counted 28 KiB compressible on the home
    page); never for sign-in and editor pages, whose CSRF token sits next to echoed text."""
    import gzip

    make_article(stack["server"])
    browser = Browser(stack["https"], insecure_tls=True)
    wants_gzip = {"Accept-Encoding": "gzip"}
    for path in ("/", "/static/css/site.css", "/static/js/site.js", "/feed.xml"):
        reply = browser.get(path, headers=wants_gzip)
        assert reply.status == 200, path
        assert reply.headers.get("Content-Encoding") == "gzip", path
        assert "Accept-Encoding" in (reply.headers.get("Vary") or ""), path
        plain = browser.get(path)
        assert plain.headers.get("Content-Encoding") is None, path
        if path.startswith("/static/"):
            assert gzip.decompress(reply.body) == plain.body, path
            assert len(reply.body) < len(plain.body) / 2, path
        else:  # pages carry per-request cookies and nonces: compare the words
            assert "<html" in gzip.decompress(reply.body).decode() or path == "/feed.xml"
        assert_headers(reply)

    for path in ("/login", "/editor/"):
        reply = browser.get(path, headers=wants_gzip)
        assert reply.status in (200, 302), path
        assert reply.headers.get("Content-Encoding") is None, path
        assert_headers(reply, csp=EDITOR_CSP if path.startswith("/editor/") else CSP)

    icon = browser.get("/favicon.ico")
    assert icon.status == 200
    assert icon.body == (ROOT / "static" / "favicon.ico").read_bytes()
    assert icon.headers["Content-Type"] in ("image/x-icon", "image/vnd.microsoft.icon")


def _cache_status(reply) -> str:
    return reply.headers.get("X-Cache-Status") or ""


def test_the_microcache_serves_anonymous_readers_and_every_view_is_counted_once(stack):
    """Readers share one copy for a few seconds; the app counts what it serves, count-views
    what the cache served; together each GET by a person counts once, visits too."""
    import sqlalchemy as sa

    from bantin.clock import local_today
    from bantin.extensions import db
    from bantin.models import Article, ArticleDailyViews, DailyStats
    from bantin.view_log import count_views
    from tests.conftest import live_app_context

    server = stack["server"]
    path = make_article(server)
    article_id = int(path.split("/")[2])
    views_log = server.tmp_path / "nginx" / "views.log"

    first = Browser(stack["https"], insecure_tls=True)
    filled = first.get(path)
    assert filled.status == 200 and _cache_status(filled) == "MISS"
    assert "X-Accel-Expires" not in filled.headers  # nginx's own header stays inside
    # Five new readers and the first one again: served from the cache, the visit cookie
    # replayed to each.
    # (A machine that stalls past the 5 seconds makes one an EXPIRED, served and counted by
    # the app: the totals below hold either way.)
    readers = [Browser(stack["https"], insecure_tls=True) for _ in range(5)]
    statuses = []
    for reader in [*readers, first, readers[0]]:  # readers[0] again: a view, not a visit
        reply = reader.get(path)
        assert reply.status == 200
        statuses.append(_cache_status(reply))
        assert 'name="captcha_token" value=""' in reply.text  # no reader's token in a copy
        cookies = reply.headers.get_all("Set-Cookie") or []
        assert len(cookies) == 1 and cookies[0].startswith("visit=1;"), cookies
    assert set(statuses) <= {"HIT", "EXPIRED", "UPDATING"} and "HIT" in statuses, statuses
    hits = sum(status != "EXPIRED" for status in statuses)
    # Not counted: a bot (served from the cache) and a HEAD (never shared).
    bot = Browser(stack["https"], insecure_tls=True, user_agent="Googlebot/2.1")
    bot_reply = bot.get(path)
    assert bot_reply.status == 200
    assert first.request("HEAD", path).status == 200
    # A browser with a session gets its own page, counted by the app: here the one the
    # captcha's no-script "Đổi mã khác" link gives.
    own = Browser(stack["https"], insecure_tls=True)
    assert own.get(f"/captcha/new?article={article_id}").status == 303
    personal = own.get(path)
    assert _cache_status(personal) == "BYPASS"
    assert 'name="captcha_token" value=""' not in personal.text

    people_gets = 1 + 6 + 1 + 1  # first, 5 readers + first again, the returning one, own
    new_visits = 1 + 5 + 1  # first, 5 readers, own
    lines = views_log.read_text().splitlines()
    # The hits and the bot's (count-views leaves it out); a HEAD is never shared.
    assert len(lines) == hits + (_cache_status(bot_reply) != "EXPIRED")
    with live_app_context(server):
        result = count_views(str(views_log))
        assert result.views == hits
        again_result = count_views(str(views_log))  # nothing new: nothing doubled
        assert again_result.views == 0
        art = db.session.get(Article, article_id)
        assert art.view_count == people_gets
        day = local_today()
        daily = db.session.scalars(
            sa.select(ArticleDailyViews).where(ArticleDailyViews.article_id == article_id)
        ).one()
        assert (daily.day, daily.views) == (day, people_gets)
        stats = db.session.scalars(sa.select(DailyStats)).one()
        assert (stats.day, stats.page_views, stats.visits) == (day, people_gets, new_visits)
        db.engine.dispose()
