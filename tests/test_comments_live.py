"""Comments against a real gunicorn with two workers: concurrency and single-use captchas."""

import http.client
import threading
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlencode

import pytest
import sqlalchemy as sa

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleStatus, Category, Comment, CommentStatus, SiteSettings
from tests.comment_helpers import form_tokens
from tests.conftest import live_app_context

pytestmark = pytest.mark.live

CLIENTS = 20
PER_CLIENT = 10


class Reader:
    """One browser: its own connection and cookies (the session binds the captcha)."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: dict | None = None):
        headers = {"User-Agent": "bantin-live-test"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.conn.request(method, path, body=data, headers=headers)
        response = self.conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), text

    def close(self) -> None:
        self.conn.close()


def arrange(server) -> tuple[int, str]:
    with live_app_context(server):
        category = Category(name="Thời sự", slug="thoi-su")
        article = Article(
            title="Lấy ý kiến về quy hoạch chợ",
            slug="lay-y-kien-ve-quy-hoach-cho",
            category=category,
            status=ArticleStatus.PUBLISHED,
            published_at=utcnow(),
        )
        db.session.add_all([category, article])
        settings = SiteSettings.get()
        settings.comments_require_approval = False  # every comment moves comment_count
        db.session.commit()
        return article.id, f"/article/{article.id}/{article.slug}"


def test_200_comments_from_20_concurrent_readers_all_land(live_server_factory):
    server = live_server_factory(workers=2)
    article_id, page = arrange(server)
    post = f"/article/{article_id}/comments"
    statuses: list[int] = []
    problems: list[str] = []
    lock = threading.Lock()

    def reader(n: int) -> None:
        client = Reader(server.port)
        try:
            for i in range(PER_CLIENT):
                status, _, html = client.request("GET", page)
                tokens = form_tokens(html)
                fields = {
                    **tokens,
                    "name": f"Bạn đọc {n}",
                    "address": "Phường 1",
                    "email": f"reader{n}@example.vn",
                    "content": f"Ý kiến số {i} của bạn đọc {n}.",
                    "captcha": "TEST1",
                }
                post_status, location, body = client.request("POST", post, fields)
                with lock:
                    statuses.extend([status, post_status])
                    if post_status != 303 or not location.endswith("#comments"):
                        problems.append(f"{post_status} {location} {body[:200]}")
                    if "database is locked" in body or "database is locked" in html:
                        problems.append("database is locked")
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        for future in [pool.submit(reader, n) for n in range(CLIENTS)]:
            future.result()

    assert problems == []
    assert not [s for s in statuses if s >= 500]
    with live_app_context(server):
        rows = db.session.scalar(sa.select(sa.func.count()).select_from(Comment))
        assert rows == CLIENTS * PER_CLIENT
        approved = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Comment)
            .where(Comment.status == CommentStatus.APPROVED)
        )
        assert approved == rows
        assert db.session.get(Article, article_id).comment_count == rows


@pytest.mark.parametrize("image_loaded", [True, False])
def test_a_captcha_replayed_at_once_through_both_workers_works_once(
    live_server_factory, image_loaded
):
    """Loaded image: the stored challenge is claimed by one UPDATE. Never loaded (test mode
    only): the challenge is stored already used by one INSERT. Either way, once."""
    server = live_server_factory(workers=2)
    article_id, page = arrange(server)
    owner = Reader(server.port)
    _, _, html = owner.request("GET", page)
    tokens = form_tokens(html)
    if image_loaded:
        status, _, _ = owner.request("GET", f"/captcha/{tokens['captcha_token']}.png")
        assert status == 200
    cookies = dict(owner.cookies)
    owner.close()
    barrier = threading.Barrier(10)

    def replay(n: int) -> int:
        client = Reader(server.port)
        client.cookies = dict(cookies)  # the same session, as a replaying bot would hold
        try:
            fields = {**tokens, "name": "Bot", "content": f"Lần {n}", "captcha": "TEST1"}
            barrier.wait()
            status, _, _ = client.request("POST", f"/article/{article_id}/comments", fields)
            return status
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(replay, range(10)))
    assert sorted(results) == [303] + [400] * 9
    with live_app_context(server):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1
