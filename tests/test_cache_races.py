"""The page cache never stores a value across a content change, whatever the interleaving.

Each test holds one request's build open with events while another request sees a newer
content version, then lets the first one finish: its old value must not reach later readers.
"""

import threading

import pytest

from bantin import cache
from bantin.extensions import db
from bantin.models import Article, ArticleStatus

WAIT = 10  # seconds: a bound for the events, never reached when the code is right


class PausedBuild:
    """Wraps PageCache.get so that one thread's build for `key` pauses after building."""

    def __init__(self, monkeypatch, key) -> None:
        self.key = key
        self.built = threading.Event()
        self.release = threading.Event()
        self.paused_thread: int | None = None
        original = cache.PageCache.get

        def get(page_cache, key, build):
            if key != self.key or threading.get_ident() != self.paused_thread:
                return original(page_cache, key, build)

            def slow_build():
                value = build()
                self.built.set()
                assert self.release.wait(WAIT)
                return value

            return original(page_cache, key, slow_build)

        monkeypatch.setattr(cache.PageCache, "get", get)

    def run(self, target) -> threading.Thread:
        errors: list[BaseException] = []

        def body():
            self.paused_thread = threading.get_ident()
            try:
                target()
            except BaseException as exc:  # surfaced by finish()
                errors.append(exc)

        thread = threading.Thread(target=body)
        thread.errors = errors
        thread.start()
        assert self.built.wait(WAIT), "the paused build never ran"
        return thread

    def finish(self, thread: threading.Thread) -> None:
        self.release.set()
        thread.join(WAIT)
        assert not thread.is_alive()
        if thread.errors:
            raise thread.errors[0]


def test_a_value_built_before_an_edit_is_never_stored_after_it(app, factory, monkeypatch):
    article = factory.article(title="Tiêu đề cũ")
    key = ("probe", article.id)
    paused = PausedBuild(monkeypatch, key)

    def read_title() -> str:
        return db.session.get(Article, article.id).title

    seen: list[str] = []

    def old_reader():
        with app.app_context():
            seen.append(cache.cached(key, read_title))

    thread = paused.run(old_reader)  # built "Tiêu đề cũ" under the old version, now paused
    with app.app_context():
        db.session.get(Article, article.id).title = "Tiêu đề mới"
        db.session.commit()  # the content version moves
    with app.app_context():
        assert cache.cached(key, read_title) == "Tiêu đề mới"  # the cache moves to it
    paused.finish(thread)
    assert seen == ["Tiêu đề cũ"]  # that request served what it read...
    with app.app_context():
        # ...but stored nothing: later readers get the new title, not the old one.
        assert cache.cached(key, lambda: pytest.fail("must come from the cache")) == ("Tiêu đề mới")


def test_an_article_unpublished_during_a_page_build_answers_404_afterwards(
    app, factory, monkeypatch
):
    article = factory.article(title="Sắp gỡ xuống")
    url = f"/article/{article.id}/{article.slug}"
    paused = PausedBuild(monkeypatch, ("article", article.id))
    statuses: list[int] = []

    def reader():
        # The short address: the snapshot is the request's last cache use (then a 301).
        statuses.append(app.test_client().get(f"/article/{article.id}").status_code)

    thread = paused.run(reader)  # read the published row under the old version, paused
    with app.app_context():
        db.session.get(Article, article.id).status = ArticleStatus.DRAFT
        db.session.commit()
    assert app.test_client().get(url).status_code == 404
    paused.finish(thread)
    assert statuses == [301]
    for _ in range(3):
        assert app.test_client().get(url).status_code == 404


def test_an_older_request_does_not_move_the_cache_back(app, factory, monkeypatch):
    """A request that read version N after the cache moved to N+1 neither clears nor stores."""
    article = factory.article(title="Bản một")
    key = ("probe-back", article.id)
    with app.app_context():
        cache.cached(key, lambda: "Bản một")
        db.session.get(Article, article.id).title = "Bản hai"
        db.session.commit()
    with app.app_context():
        assert cache.cached(key, lambda: "Bản hai") == "Bản hai"
        newest = cache.page_cache()._version
    with app.app_context():
        from flask import g

        g.content_version = newest - 1  # as if read just before the commit
        assert cache.cached(key, lambda: "Bản một") == "Bản một"
    with app.app_context():
        assert cache.cached(key, lambda: pytest.fail("must come from the cache")) == "Bản hai"
