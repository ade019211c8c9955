"""PROXY_COUNT: forwarded headers are trusted from exactly that many proxies, never more."""

import pytest
from flask import request, url_for

from bantin.web.net import client_ip


def _app(app_factory, **config):
    app = app_factory(**config)

    @app.get("/_whoami")
    def _whoami():
        return {
            "ip": client_ip(),
            "secure": request.is_secure,
            "external": url_for("public.home", _external=True),
        }

    return app


FORGED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
    "X-Forwarded-Prefix": "/evil",
}


def test_default_trusts_no_forwarded_header(app_factory):
    app = _app(app_factory)
    assert app.config["PROXY_COUNT"] == 0
    response = app.test_client().get(
        "/_whoami", headers=FORGED, environ_base={"REMOTE_ADDR": "198.51.100.4"}
    )
    assert response.json == {
        "ip": "198.51.100.4",
        "secure": False,
        "external": "http://localhost/",
    }
    assert "Strict-Transport-Security" not in response.headers


def test_one_proxy_trusts_the_last_hop_only(app_factory):
    app = _app(app_factory, PROXY_COUNT=1)
    client = app.test_client()
    # nginx overwrites X-Forwarded-For with the address it saw; a client's own value
    # would come first in an appended list and must be ignored.
    response = client.get(
        "/_whoami",
        headers={
            "X-Forwarded-For": "10.6.6.6, 203.0.113.7",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": "news.example.org",
        },
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert response.json == {
        "ip": "203.0.113.7",
        "secure": True,
        "external": "https://news.example.org/",
    }
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_https_behind_the_proxy_marks_cookies_secure(app_factory):
    app = _app(app_factory, PROXY_COUNT=1, WTF_CSRF_ENABLED=True)
    response = app.test_client().get(
        "/login", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies and all("; Secure" in c for c in cookies), cookies


@pytest.mark.parametrize("count", [1, 2])
def test_more_hops_than_trusted_are_ignored(app_factory, count):
    app = _app(app_factory, PROXY_COUNT=count)
    response = app.test_client().get(
        "/_whoami",
        headers={"X-Forwarded-For": "1.1.1.1, 2.2.2.2, 3.3.3.3"},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    # Only the last `count` entries were added by trusted proxies.
    assert response.json["ip"] == {1: "3.3.3.3", 2: "2.2.2.2"}[count]


def test_comment_ip_comes_from_the_trusted_proxy(app_factory, factory):
    """What guards and moderators see is the reader's address, not nginx's."""
    import sqlalchemy as sa

    from bantin.extensions import db
    from bantin.models import Comment
    from tests.security.forms import parse_forms

    app = app_factory(PROXY_COUNT=1)
    with app.app_context():
        article = factory.article()
        client = app.test_client()
        headers = {"X-Forwarded-For": "203.0.113.77"}
        page = client.get(f"/article/{article.id}/{article.slug}", headers=headers)
        form = next(f for f in parse_forms(page.get_data(as_text=True)) if "comments" in f.action)
        data = form.data(name="Bạn đọc", content="Ý kiến về bài viết này.", captcha="TEST1")
        response = client.post(form.action.split("#")[0], data=data, headers=headers)
        assert response.status_code == 303, response.get_data(as_text=True)[:500]
        db.session.expire_all()
        ips = db.session.scalars(sa.select(Comment.ip)).all()
    assert ips and all(ip and ip.startswith("203.0.113.") for ip in ips), ips
