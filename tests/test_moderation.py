"""Comment moderation: the queue, actions, visibility and an exact comment_count."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin import comments as service
from bantin.clock import utcnow
from bantin.comments import Action
from bantin.extensions import db
from bantin.models import Article, AuditLog, CaptchaChallenge, Comment, CommentStatus
from tests.comment_helpers import all_comments, approved_count, article_url, make_comment
from tests.conftest import Factory

P, A, S, T = (
    CommentStatus.PENDING,
    CommentStatus.APPROVED,
    CommentStatus.SPAM,
    CommentStatus.TRASH,
)


@pytest.fixture
def editor(factory, login):
    user = factory.user("editor")
    login(user)
    return user


def status_of(comment_id: int) -> CommentStatus | None:
    db.session.expire_all()
    return db.session.scalar(sa.select(Comment.status).where(Comment.id == comment_id))


def count_of(art: Article) -> int:
    db.session.expire_all()
    return db.session.get(Article, art.id).comment_count


def assert_count_exact(art: Article) -> None:
    assert count_of(art) == approved_count(art.id)


def act(client, comment_id: int, action: str, **form):
    return client.post(f"/editor/comments/{comment_id}/{action}", data=form)


# ------------------------------------------------------------------ access


def test_readers_are_sent_to_sign_in(client, factory):
    art = factory.article()
    comment = make_comment(art, P)
    response = client.get("/editor/comments")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    response = act(client, comment.id, "approve")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]
    assert status_of(comment.id) == P


@pytest.mark.parametrize("role", ["admin", "editor"])
def test_staff_see_the_queue(client, factory, login, role):
    login(factory.user(role))
    art = factory.article(title="Đường liên thôn")
    make_comment(
        art,
        P,
        name="Phạm Thị Hoa",
        address="Xóm Chùa",
        email="hoa@example.vn",
        ip="198.51.100.23",
        content="Cần làm sớm",
        reason="links",
    )
    response = client.get("/editor/comments")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = response.get_data(as_text=True)
    for text in ("Đường liên thôn", "Phạm Thị Hoa", "Xóm Chùa", "hoa@example.vn",
                 "198.51.100.23", "Cần làm sớm", "Có từ 2 liên kết trở lên"):  # fmt: skip
        assert text in html, text
    assert re.search(r"<time datetime=\"[^\"]+\">\d\d:\d\d \| \d\d/\d\d/\d{4}</time>", html)


def test_tabs_have_counts_and_lists_are_newest_first(client, factory, editor):
    art = factory.article()
    now = utcnow()
    for n, status in enumerate([P, P, P, A, A, S, T]):
        make_comment(
            art, status, content=f"{status.value} {n}", created_at=now - timedelta(hours=n)
        )
    html = client.get("/editor/comments").get_data(as_text=True)
    for label, n in (("Chờ duyệt", 3), ("Đã duyệt", 2), ("Thư rác", 1), ("Thùng rác", 1)):
        assert re.search(rf"{label} <span class=\"tab-count\">\({n}\)</span>", html), label
    assert html.index("pending 0") < html.index("pending 1") < html.index("pending 2")
    assert "approved 3" not in html
    html = client.get("/editor/comments?status=approved").get_data(as_text=True)
    assert "approved 3" in html and "pending 0" not in html
    assert 'href="/editor/comments?status=approved" aria-current="page"' in html
    assert client.get("/editor/comments?status=bogus").status_code == 404
    assert client.get("/editor/comments?page=abc").status_code == 404


def test_pending_badge_in_the_editor_menu(client, factory, editor):
    art = factory.article()
    for _ in range(3):
        make_comment(art, P)
    make_comment(art, A)
    html = client.get("/editor/").get_data(as_text=True)
    assert re.search(r'<span class="badge"[^>]*>3<', html)


# ------------------------------------------------------------------ actions


def test_approve_is_idempotent_and_counts_once(client, factory, editor):
    art = factory.article()
    comment = make_comment(art, P, content="Ý kiến chờ duyệt")
    assert "Ý kiến chờ duyệt" not in client.get(article_url(art)).get_data(as_text=True)
    for _ in range(3):
        response = act(client, comment.id, "approve", status="pending")
        assert response.status_code == 303
        assert response.headers["Location"].endswith("/editor/comments?status=pending")
    assert status_of(comment.id) == A
    assert count_of(art) == 1
    html = client.get(article_url(art)).get_data(as_text=True)
    assert "Ý kiến chờ duyệt" in html
    assert 'class="comment-count">1<' in html
    audits = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "comment.approve")
    ).all()
    assert len(audits) == 1
    assert audits[0].target_type == "comment" and audits[0].target_id == comment.id
    assert audits[0].user_id == editor.id


@pytest.mark.parametrize(
    ("start", "action", "end"),
    [
        (P, "approve", A),
        (P, "spam", S),
        (P, "trash", T),
        (A, "spam", S),
        (A, "trash", T),
        (S, "approve", A),
        (S, "restore", P),
        (T, "restore", P),
        (T, "approve", A),
        (P, "restore", P),  # nothing to restore: unchanged
        (A, "restore", A),
    ],
)
def test_every_transition_keeps_the_count_exact(client, factory, editor, start, action, end):
    art = factory.article()
    make_comment(art, A)  # another approved comment, untouched
    comment = make_comment(art, start)
    assert act(client, comment.id, action).status_code == 303
    assert status_of(comment.id) == end
    assert_count_exact(art)
    # Repeating it changes nothing.
    assert act(client, comment.id, action).status_code == 303
    assert status_of(comment.id) == end
    assert_count_exact(art)


@pytest.mark.parametrize("start", [P, A, S, T])
def test_delete_permanently(client, factory, editor, start):
    art = factory.article()
    comment_id = make_comment(art, start).id
    assert act(client, comment_id, "delete").status_code == 303
    assert status_of(comment_id) is None
    assert_count_exact(art)
    # Deleting again is harmless.
    assert act(client, comment_id, "delete").status_code == 303
    assert len(db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "comment.delete")).all()) == 1  # fmt: skip


def test_unknown_comment_or_action(client, factory, editor):
    art = factory.article()
    comment = make_comment(art, P)
    assert act(client, 999999, "approve").status_code == 404
    assert act(client, comment.id, "publish").status_code == 404
    assert act(client, 2**63, "approve").status_code == 404
    # Moderation never happens over GET.
    assert client.get(f"/editor/comments/{comment.id}/approve").status_code == 405
    assert status_of(comment.id) == P


def test_bulk_actions(client, factory, editor):
    art = factory.article()
    pending = [make_comment(art, P, content=f"c{n}").id for n in range(4)]
    already = make_comment(art, A).id
    ids = [str(c) for c in pending[:3]] + [str(already), "abc", "999999"]
    response = client.post(
        "/editor/comments/bulk", data={"ids": ids, "action": "approve", "status": "pending"}
    )
    assert response.status_code == 303
    assert [status_of(c) for c in pending] == [A, A, A, P]
    assert count_of(art) == 4
    assert_count_exact(art)
    html = client.get("/editor/comments").get_data(as_text=True)
    assert "Đã duyệt 3 ý kiến." in html
    # Bulk spam, then bulk delete from the spam tab.
    client.post("/editor/comments/bulk", data={"ids": ids[:2], "action": "spam"})
    assert_count_exact(art)
    client.post("/editor/comments/bulk", data={"ids": ids[:2], "action": "delete"})
    assert status_of(pending[0]) is None and status_of(pending[1]) is None
    assert_count_exact(art)
    # Nothing ticked: a message, no change.
    response = client.post(
        "/editor/comments/bulk", data={"action": "approve"}, follow_redirects=True
    )
    assert "Chưa chọn ý kiến nào" in response.get_data(as_text=True)
    assert client.post("/editor/comments/bulk", data={"ids": ids, "action": "x"}).status_code == 400


def test_the_queue_offers_buttons_that_post(client, factory, editor):
    art = factory.article()
    comment = make_comment(art, P)
    html = client.get("/editor/comments").get_data(as_text=True)
    assert 'method="post" action="/editor/comments/bulk"' in html
    assert f'formaction="/editor/comments/{comment.id}/approve"' in html
    assert f'name="ids" value="{comment.id}"' in html
    assert "data-select-all" in html
    # No links that change state.
    assert f'href="/editor/comments/{comment.id}/' not in html


def test_concurrent_style_double_approval_counts_once(app, factory):
    """Two moderators acting on one stale read: the conditional UPDATE lets one win."""
    art = factory.article()
    comment = make_comment(art, P)
    assert service.moderate([comment.id], Action.APPROVE) == {comment.id: True}
    assert service.moderate([comment.id], Action.APPROVE) == {comment.id: False}
    assert service.moderate([comment.id, comment.id], Action.APPROVE) == {comment.id: False}
    assert service.moderate([comment.id + 1000], Action.APPROVE) == {comment.id + 1000: None}
    assert count_of(art) == 1


# ------------------------------------------------------------------ visibility


def test_unapproved_comments_are_invisible_everywhere(client, factory, editor):
    art = factory.article(title="Họp dân về đường làng")
    for status in (P, S, T):
        make_comment(art, status, content=f"Bí mật {status.value} zqxv", email="x@example.vn")
    urls = [article_url(art), "/", "/feed.xml", f"/category/{art.category.slug}",
            "/search?q=zqxv", "/search?q=đường", "/sitemap.xml"]  # fmt: skip
    for url in urls:
        html = client.get(url).get_data(as_text=True)
        assert "Bí mật" not in html and "x@example.vn" not in html, url
    assert 'class="comment-count">0<' in client.get(article_url(art)).get_data(as_text=True)
    assert count_of(art) == 0


# ------------------------------------------------------------------ XSS in the queue


def test_readers_see_each_moderation_at_once(app, factory):
    """The article page may be cached, but never past a change to its approved comments."""
    art = factory.article()
    reader = app.test_client()
    comment = make_comment(art, P, name="Người đọc chờ duyệt")

    def seen() -> tuple[bool, str]:
        html = reader.get(article_url(art)).get_data(as_text=True)
        count = re.search(r'<span class="comment-count">(\d+)</span>', html).group(1)
        return "Người đọc chờ duyệt" in html, count

    for _ in range(2):  # the second view may come from the page cache
        assert seen() == (False, "0")
    for action, shown in ((Action.APPROVE, True), (Action.TRASH, False), (Action.RESTORE, False)):
        service.moderate([comment.id], action)
        assert seen() == (shown, str(int(shown))), action


def test_xss_is_inert_in_the_moderation_queue(client, factory, editor):
    art = factory.article(title="<b>Tiêu đề</b>")
    make_comment(
        art,
        P,
        name="<script>alert(1)</script>",
        address='"><img src=x onerror=alert(2)>',
        email="a@example.vn",
        content='<a href="javascript:alert(3)">x</a>\n<svg onload=alert(4)>',
        reason="keyword:<i>x</i>",
    )
    html = client.get("/editor/comments").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert 'href="javascript:' not in html
    assert "<svg onload" not in html
    assert "<i>x</i>" not in html and "<b>Tiêu đề</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ------------------------------------------------------------------ CSRF


def test_moderation_posts_need_csrf_when_csrf_is_on(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        make = Factory()
        art = make.article()
        comment = make_comment(art, P)
        user = make.user("editor")
        client = app.test_client()
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        html = client.get("/editor/comments").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        assert act(client, comment.id, "approve").status_code == 400
        response = client.post(
            "/editor/comments/bulk", data={"ids": [comment.id], "action": "approve"}
        )
        assert response.status_code == 400
        assert status_of(comment.id) == P
        assert act(client, comment.id, "approve", csrf_token=token).status_code == 303
        assert status_of(comment.id) == A


# ------------------------------------------------------------------ housekeeping


def test_purge_forgets_old_ips_and_challenges(app, factory, runner):
    art = factory.article()
    old = make_comment(
        art, A, ip="192.0.2.1", user_agent="UA", created_at=utcnow() - timedelta(days=91)
    )
    recent = make_comment(art, A, ip="192.0.2.2", created_at=utcnow() - timedelta(days=89))
    db.session.add(CaptchaChallenge(token="t" * 32, answer_hmac="0" * 64,
                                    created_at=utcnow() - timedelta(days=2)))  # fmt: skip
    db.session.commit()
    result = runner.invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Cleared 1 comment IPs" in result.output
    db.session.expire_all()
    assert db.session.get(Comment, old.id).ip is None
    assert db.session.get(Comment, old.id).user_agent == ""
    assert db.session.get(Comment, recent.id).ip == "192.0.2.2"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CaptchaChallenge)) == 0


def test_the_moderation_page_tidies_up(client, factory, editor):
    art = factory.article()
    old = make_comment(art, P, ip="192.0.2.1", created_at=utcnow() - timedelta(days=100))
    client.get("/editor/comments")
    db.session.expire_all()
    assert db.session.get(Comment, old.id).ip is None


def test_comment_posts_purge_now_and_then(app_factory):
    """Comment posts run the purge at most once per COMMENT_PURGE_INTERVAL per worker."""
    app = app_factory(COMMENT_PURGE_INTERVAL=600)
    now = [utcnow()]
    app.config["CLOCK"] = lambda: now[0]
    with app.app_context():
        from tests.comment_helpers import post_comment

        make = Factory()
        art = make.article()
        client = app.test_client()

        def aged(ip: str) -> Comment:
            return make_comment(art, A, ip=ip, created_at=now[0] - timedelta(days=100))

        first = aged("192.0.2.1")
        assert post_comment(client, art, content="Ý kiến thứ nhất").status_code == 303
        assert [c.ip for c in all_comments()] == [None, "127.0.0.1"]
        assert first.id == all_comments()[0].id
        # Within the interval, posts do not purge again ...
        second = aged("192.0.2.2")
        now[0] += timedelta(minutes=9)
        assert post_comment(client, art, content="Ý kiến thứ hai").status_code == 303
        db.session.expire_all()
        assert db.session.get(Comment, second.id).ip == "192.0.2.2"
        # ... the first post after it does.
        now[0] += timedelta(minutes=2)
        assert post_comment(client, art, content="Ý kiến thứ ba").status_code == 303
        db.session.expire_all()
        assert db.session.get(Comment, second.id).ip is None
