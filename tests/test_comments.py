"""Readers' comments: the form, validation, the policy and what readers see."""

import re
import unicodedata
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleStatus, CommentStatus
from tests.comment_helpers import (
    GOOD,
    all_comments,
    article_url,
    fetch_form,
    field_error,
    form_tokens,
    input_tag,
    input_value,
    make_comment,
    post_comment,
    post_url,
    textarea_value,
)
from tests.conftest import ROOT, Factory

PENDING_MESSAGE = "Ý kiến của bạn đã được gửi và đang chờ duyệt"
POSTED_MESSAGE = "Ý kiến của bạn đã được đăng"


def page(client, art) -> str:
    response = client.get(article_url(art))
    assert response.status_code == 200
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ the form


def test_article_page_shows_the_form_with_the_contract_fields(client, factory):
    art = factory.article()
    html = page(client, art)
    assert "Ý kiến bạn đọc" in html
    assert "Thông tin (*) là bắt buộc" in html
    form = html[
        html.index('<form class="comment-form"') : html.index(
            "</form>", html.index('<form class="comment-form"')
        )
    ]
    for label in ("Họ và tên", "Địa chỉ", "Email", "Nội dung", "Mã xác nhận"):
        assert label in form
    for name in ("name", "address", "email", "captcha", "captcha_token", "ts", "website"):
        input_tag(form, name)
    assert 'name="content"' in form
    assert f'action="{post_url(art)}#comment-form"' in form
    # The captcha: image, audio link "Nghe mã", refresh link, all without JavaScript.
    token = form_tokens(form)["captcha_token"]
    assert f'src="/captcha/{token}.png"' in form
    assert f'href="/captcha/{token}.wav"' in form
    assert "Nghe mã" in form and "Đổi mã khác" in form
    assert f"/captcha/new?article={art.id}" in form
    # No inline scripts or handlers: the strict CSP must hold.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "/static/js/comments.js" in html


def test_honeypot_is_hidden_from_people(client, factory):
    html = page(client, factory.article())
    match = re.search(r'<div class="comment-hp" aria-hidden="true">(.*?)</div>', html, re.S)
    assert match, "the honeypot sits in an aria-hidden wrapper"
    block = match.group(1)
    assert "để trống" in block  # its label tells people to leave it empty
    tag = input_tag(block, "website")
    assert 'tabindex="-1"' in tag and 'autocomplete="off"' in tag
    css = (ROOT / "static" / "css" / "site.css").read_text(encoding="utf-8")
    assert re.search(r"\.comment-hp\s*\{[^}]*left:\s*-10000px", css)


def test_accepted_comment_redirects_with_the_pending_message(client, factory):
    art = factory.article()
    response = post_comment(client, art)
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{article_url(art)}#comments")
    [comment] = all_comments()
    assert comment.status == CommentStatus.PENDING
    assert comment.name == GOOD["name"] and comment.content == GOOD["content"]
    assert comment.ip == "127.0.0.1"
    html = page(client, art)
    assert PENDING_MESSAGE in html
    # Pending: not shown, not counted.
    assert GOOD["content"] not in html
    assert 'class="comment-count">0<' in html
    db.session.refresh(art)
    assert art.comment_count == 0


def test_auto_published_when_approval_is_off(client, factory):
    factory.settings(comments_require_approval=False)
    art = factory.article()
    response = post_comment(client, art, email="An.Nguyen@Example.VN")
    assert response.status_code == 303
    [comment] = all_comments()
    assert comment.status == CommentStatus.APPROVED
    assert comment.email == "an.nguyen@example.vn"
    html = page(client, art)
    assert POSTED_MESSAGE in html
    assert GOOD["content"] in html
    assert 'class="comment-count">1<' in html
    db.session.refresh(art)
    assert art.comment_count == 1


def test_an_auto_published_comment_shows_on_every_later_view(client, factory, app):
    """Cached article pages never hide a comment published without moderation."""
    factory.settings(comments_require_approval=False)
    art = factory.article()
    other = app.test_client()
    for _ in range(2):  # cache the page
        assert 'class="comment-count">0<' in page(other, art)
    assert post_comment(client, art).status_code == 303
    page(client, art)  # the poster's own view, with the confirmation
    for reader in (other, client):
        html = page(reader, art)
        assert GOOD["content"] in html and 'class="comment-count">1<' in html


def _approve_latest():
    from bantin.comments import Action, moderate

    latest = all_comments()[-1]
    assert moderate([latest.id], Action.APPROVE) == {latest.id: True}
    return latest


def test_a_typed_email_alone_is_not_a_returning_commenter(client, factory):
    """Anyone can type a regular's email: without this browser's proof it stays pending."""
    factory.settings(comments_auto_approve_returning=True)
    art = factory.article()
    make_comment(art, CommentStatus.APPROVED, email="ban.doc@example.vn")
    response = post_comment(client, art, email="Ban.Doc@Example.vn", content="Mạo danh.")
    assert response.status_code == 303
    latest = all_comments()[-1]
    assert latest.status == CommentStatus.PENDING and latest.reason == ""


def test_returning_browser_is_auto_approved_only_when_enabled(app, client, factory):
    art = factory.article()
    email = "ban.doc@example.vn"
    assert post_comment(client, art, email=email, content="Lần đầu.").status_code == 303
    _approve_latest()
    # Off by default: still pending, even from the same browser.
    post_comment(client, art, email=email, content="Lần thứ hai.")
    assert all_comments()[-1].status == CommentStatus.PENDING
    factory.settings(comments_auto_approve_returning=True)
    post_comment(client, art, email="Ban.Doc@Example.VN", content="Lần thứ ba.")
    latest = all_comments()[-1]
    assert latest.status == CommentStatus.APPROVED and latest.reason == "returning"
    # The same browser with another email is not that commenter.
    post_comment(client, art, email="khac@example.vn", content="Email khác.")
    assert all_comments()[-1].status == CommentStatus.PENDING
    # Nor without any email.
    post_comment(client, art, email="", content="Không có email.")
    assert all_comments()[-1].status == CommentStatus.PENDING
    # Another browser typing the same email has no proof.
    other = app.test_client()
    post_comment(other, art, email=email, content="Trình duyệt khác.")
    assert all_comments()[-1].status == CommentStatus.PENDING
    db.session.refresh(art)
    assert art.comment_count == 2


def test_proof_must_name_a_comment_that_is_approved_now(client, factory):
    from bantin.comments import Action, moderate

    factory.settings(comments_auto_approve_returning=True)
    art = factory.article()
    email = "an@example.vn"
    post_comment(client, art, email=email, content="Đang chờ duyệt.")
    # Only pending so far: not returning.
    post_comment(client, art, email=email, content="Vẫn chờ.")
    assert [c.status for c in all_comments()] == [CommentStatus.PENDING] * 2
    first = all_comments()[0]
    assert moderate([first.id], Action.APPROVE) == {first.id: True}
    # The cookie still names the first comment (it keeps the newest few ids).
    post_comment(client, art, email=email, content="Giờ đã được duyệt.")
    assert all_comments()[-1].status == CommentStatus.APPROVED
    # Approval withdrawn (spam, trash): the proof no longer counts.
    for comment in all_comments():
        if comment.status == CommentStatus.APPROVED:
            moderate([comment.id], Action.TRASH)
    post_comment(client, art, email=email, content="Sau khi bị gỡ.")
    assert all_comments()[-1].status == CommentStatus.PENDING


def test_the_commenter_cookie_is_signed_httponly_and_narrow(app, client, factory):
    from bantin.comments import COMMENTER_COOKIE, commenter_ids

    factory.settings(comments_auto_approve_returning=True)
    art = factory.article()
    response = post_comment(client, art, email="an@example.vn", content="Lần đầu.")
    header = next(
        h for h in response.headers.getlist("Set-Cookie") if h.startswith(COMMENTER_COOKIE + "=")
    )
    attributes = {part.strip().split("=")[0].lower() for part in header.split(";")[1:]}
    assert {"httponly", "path", "max-age", "samesite"} <= attributes
    assert "Path=/article/" in header and "SameSite=Lax" in header
    first = all_comments()[-1]
    with app.test_request_context(headers={"Cookie": header.split(";")[0]}):
        from flask import request

        assert commenter_ids(request) == (first.id,)
    _approve_latest()

    # A forged or tampered cookie proves nothing.
    stranger = app.test_client()
    genuine = header.split(";")[0].split("=", 1)[1]
    tampered = ("X" if genuine[0] == "W" else "W") + genuine[1:]
    for forged in (f"[{first.id}]", str(first.id), tampered, "", "x" * 2000):
        stranger.set_cookie(COMMENTER_COOKIE, forged, path="/article/")
        post_comment(stranger, art, email="an@example.vn", content=f"Giả mạo {forged[:3]!r}")
        assert all_comments()[-1].status == CommentStatus.PENDING
    # A cookie signed with another site's key proves nothing either.
    from itsdangerous import URLSafeSerializer

    other_key = URLSafeSerializer("another-site-key-0123456789abcdefghij", salt="bantin.commenter")
    stranger.set_cookie(COMMENTER_COOKIE, other_key.dumps([first.id]), path="/article/")
    post_comment(stranger, art, email="an@example.vn", content="Khóa khác.")
    assert all_comments()[-1].status == CommentStatus.PENDING
    # The genuine browser is recognised.
    post_comment(client, art, email="an@example.vn", content="Thật.")
    assert all_comments()[-1].status == CommentStatus.APPROVED


def test_the_cookie_keeps_the_newest_ids(app, client, factory):
    from bantin.comments import COMMENTER_COOKIE, COMMENTER_KEEP, commenter_ids

    art = factory.article()
    for n in range(COMMENTER_KEEP + 2):
        assert post_comment(client, art, content=f"Ý kiến {n}").status_code == 303
    cookie = client.get_cookie(COMMENTER_COOKIE, path="/article/")
    assert cookie is not None and cookie.http_only
    with app.test_request_context(headers={"Cookie": f"{COMMENTER_COOKIE}={cookie.value}"}):
        from flask import request

        ids = commenter_ids(request)
    assert list(ids) == [c.id for c in reversed(all_comments())][:COMMENTER_KEEP]


# ------------------------------------------------------------------ validation table

LONG_EMAIL = "a" * 64 + "@" + ".".join(["b" * 62, "b" * 62, "b" * 61]) + ".vn"
assert len(LONG_EMAIL) == 255


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", None, "Vui lòng nhập họ và tên"),
        ("name", "   ", "Vui lòng nhập họ và tên"),
        ("name", "A" * 101, "Tối đa 100 ký tự"),
        ("name", "An\x1b[31m", "ký tự điều khiển"),
        ("address", "Đ" * 201, "Tối đa 200 ký tự"),
        ("address", "Thôn\x07Đông", "ký tự điều khiển"),
        ("email", "khong-phai-email", "email không hợp lệ"),
        ("email", "an@localhost", "email không hợp lệ"),
        ("email", "an @example.vn", "email không hợp lệ"),
        ("email", LONG_EMAIL, "Tối đa 254 ký tự"),
        ("content", None, "Vui lòng nhập nội dung"),
        ("content", "  \n ", "Vui lòng nhập nội dung"),
        ("content", "a", "ít nhất 2 ký tự"),
        ("content", "x" * 4001, "Tối đa 4.000 ký tự"),
        ("content", "Xin\x0bchào", "ký tự điều khiển"),
        ("content", "Xin chào\x7f", "ký tự điều khiển"),
        ("email", "an\x01@example.vn", "ký tự điều khiển"),
        ("captcha", None, "Vui lòng nhập mã xác nhận"),
        ("captcha", "  ", "Vui lòng nhập mã xác nhận"),
        ("captcha", "WRONG", "Mã xác nhận không đúng"),
    ],
)
def test_validation_table(client, factory, field, value, message):
    art = factory.article()
    tokens = fetch_form(client, art)
    typed = {
        "name": "Trần Thị Bình",
        "address": "Phường 3",
        "email": "binh@example.vn",
        "content": "Nội dung góp ý\ncó hai dòng.",
    }
    typed[field] = value
    response = post_comment(client, art, tokens=tokens, **typed)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    error = field_error(html, field)
    assert error is not None and message in error, error
    # The message is tied to its field for screen readers.
    if field == "content":
        tag = re.search(r"<textarea [^>]*>", html).group(0)
    else:
        tag = input_tag(html, field)
    assert f"{field}-error" in tag and 'aria-invalid="true"' in tag
    # Everything typed is kept (the captcha is not), and a fresh captcha is issued.
    for other in ("name", "address", "email"):
        if other != field:
            assert input_value(html, other) == typed[other]
    if field != "content":
        assert textarea_value(html) == typed["content"]
    assert input_value(html, "captcha") == ""
    assert form_tokens(html)["captcha_token"] != tokens["captcha_token"]
    assert all_comments() == []


@pytest.mark.parametrize("field", ["name", "address", "email", "content"])
def test_nul_is_refused(client, factory, field):
    # The site-wide input check lets this form answer NUL itself: a message, input kept.
    art = factory.article()
    response = post_comment(client, art, **{field: "Xin chào\x00"})
    assert response.status_code == 400
    assert all_comments() == []
    html = response.get_data(as_text=True)
    assert field_error(html, field)
    if field != "name":
        assert input_value(html, "name") == GOOD["name"]


def test_overlong_input_is_refused_not_truncated(client, factory):
    art = factory.article()
    text = "Đoạn văn dài. " * 300  # 4,200 characters
    response = post_comment(client, art, content=text)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "bạn đã nhập 4.199" in field_error(html, "content")
    assert textarea_value(html) == text.strip()
    # No maxlength attribute: browsers would silently cut pasted text.
    assert "maxlength=" not in re.search(r"<textarea [^>]*>", html).group(0).replace(
        "data-maxlength=", ""
    )
    assert all_comments() == []


@pytest.mark.parametrize(("field", "limit"), [("name", 100), ("address", 200), ("content", 4000)])
def test_limits_are_inclusive(client, factory, field, limit):
    art = factory.article()
    response = post_comment(client, art, **{field: "ơ" * limit})
    assert response.status_code == 303
    assert getattr(all_comments()[0], field) == "ơ" * limit


def test_vietnamese_text_is_stored_composed(client, factory):
    factory.settings(comments_require_approval=False)
    art = factory.article()
    name = "Nguyễn Thị Hồng Nhung"
    content = "Cảm ơn bài viết về đường liên thôn, rất đúng ý bà con."
    decomposed_name = unicodedata.normalize("NFD", name)
    assert decomposed_name != name
    # Decomposed, the name is longer than 100 code points; composed, it fits.
    long_name = unicodedata.normalize("NFD", "Ễ" * 100)
    assert len(long_name) > 100
    response = post_comment(
        client,
        art,
        name=decomposed_name,
        address=unicodedata.normalize("NFD", "Xã Đồng Tiến"),
        content=unicodedata.normalize("NFD", content),
    )
    assert response.status_code == 303
    [comment] = all_comments()
    assert comment.name == name
    assert comment.address == "Xã Đồng Tiến"
    assert comment.content == content
    assert post_comment(client, art, name=long_name, content="Ý kiến khác").status_code == 303
    assert all_comments()[-1].name == "Ễ" * 100
    assert name in page(client, art)


def test_whitespace_is_tidied_and_line_breaks_kept(client, factory):
    factory.settings(comments_require_approval=False)
    art = factory.article()
    post_comment(
        client,
        art,
        name="  Lê   Văn\tTám ",
        content="\r\n Dòng một\r\nDòng hai\r\n\r\nĐoạn hai \r\n",
    )
    [comment] = all_comments()
    assert comment.name == "Lê Văn Tám"
    assert comment.content == "Dòng một\nDòng hai\n\nĐoạn hai"
    html = page(client, art)
    assert "<p> Dòng một" not in html
    assert "<p>Dòng một<br>Dòng hai</p><p>Đoạn hai</p>" in html


XSS = {
    "name": "<script>alert('name')</script>",
    "address": '"><img src=x onerror=alert(1)>',
    "content": (
        '<a href="javascript:alert(1)">bấm</a> <b>đậm</b> https://evil.example/x\n'
        "<svg onload=alert(2)></svg>"
    ),
}


def _assert_inert(html: str) -> None:
    assert "<script>alert" not in html
    assert "<img src=x" not in html
    assert "<svg onload" not in html
    assert 'href="javascript:' not in html
    assert 'href="https://evil.example' not in html
    assert "&lt;script&gt;alert(" in html
    assert "&lt;svg onload=alert(2)&gt;" in html


def test_xss_payloads_are_inert_on_the_public_page(client, factory):
    factory.settings(comments_require_approval=False)
    art = factory.article()
    assert post_comment(client, art, **XSS).status_code == 303
    assert all_comments()[0].status == CommentStatus.APPROVED
    _assert_inert(page(client, art))


def test_xss_payloads_are_inert_when_the_form_is_sent_back(client, factory):
    art = factory.article()
    response = post_comment(client, art, captcha=None, **XSS, email='"><script>x</script>')
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<script>alert" not in html and "<script>x" not in html
    assert "<img src=x" not in html and "<svg onload" not in html


def test_email_is_never_shown_publicly(client, factory):
    factory.settings(comments_require_approval=False)
    art = factory.article()
    email = "bi.mat@example.vn"
    assert post_comment(client, art, email=email).status_code == 303
    for url in (article_url(art), "/", "/feed.xml", f"/search?q={art.title}", "/sitemap.xml"):
        response = client.get(url)
        assert email not in response.get_data(as_text=True), url


# ------------------------------------------------------------------ which articles


def test_closed_article_shows_a_line_instead_of_the_form(client, factory):
    art = factory.article(allow_comments=False)
    html = page(client, art)
    assert "Bài viết này đã đóng bình luận" in html
    assert 'class="comment-form"' not in html
    response = client.post(post_url(art), data=dict(GOOD))
    assert response.status_code == 403
    assert all_comments() == []


def test_comments_close_after_the_configured_age(client, factory):
    factory.settings(comments_close_after_days=30)
    old = factory.article(age=timedelta(days=31))
    recent = factory.article(age=timedelta(days=29))
    assert "Bài viết này đã đóng bình luận" in page(client, old)
    assert client.post(post_url(old), data=dict(GOOD)).status_code == 403
    assert "Bài viết này đã đóng bình luận" not in page(client, recent)
    assert post_comment(client, recent).status_code == 303


@pytest.mark.parametrize("kind", ["draft", "scheduled", "deleted", "missing", "huge"])
def test_comments_on_invisible_articles_are_404(client, factory, kind):
    if kind == "draft":
        url = post_url(factory.article(published=False))
    elif kind == "scheduled":
        url = post_url(factory.article(published_at=utcnow() + timedelta(days=1)))
    elif kind == "deleted":
        url = post_url(factory.article(status=ArticleStatus.DELETED))
    elif kind == "missing":
        url = "/article/999999/comments"
    else:
        url = f"/article/{2**63}/comments"
    response = client.post(url, data=dict(GOOD, captcha_token="x" * 32))
    assert response.status_code == 404
    assert all_comments() == []


def test_get_on_the_comment_url_changes_nothing(client, factory):
    art = factory.article()
    response = client.get(post_url(art))
    assert response.status_code == 301  # the article route treats "comments" as a wrong slug
    assert response.headers["Location"].endswith(article_url(art))
    assert all_comments() == []


def test_rejected_post_does_not_count_a_view(client, factory):
    art = factory.article()
    tokens = fetch_form(client, art)
    db.session.refresh(art)
    views = art.view_count
    assert views == 1
    response = post_comment(client, art, tokens=tokens, content="")
    assert response.status_code == 400
    db.session.refresh(art)
    assert art.view_count == views
    html = response.get_data(as_text=True)
    # The page is the full article page, with the article itself.
    assert art.title in html and "Lượt xem" in html


def test_only_approved_comments_are_listed_and_counted(client, factory):
    art = factory.article()
    for status in CommentStatus:
        make_comment(art, status, content=f"Nội dung {status.value}")
    html = page(client, art)
    assert "Nội dung approved" in html
    for hidden in ("pending", "spam", "trash"):
        assert f"Nội dung {hidden}" not in html
    assert 'class="comment-count">1<' in html
    db.session.refresh(art)
    assert art.comment_count == 1


# ------------------------------------------------------------------ CSRF


def test_comment_post_needs_a_csrf_token_when_csrf_is_on(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        art = Factory().article()
        client = app.test_client()
        tokens = fetch_form(client, art)
        assert "csrf_token" in tokens
        without = {k: v for k, v in tokens.items() if k != "csrf_token"}
        response = post_comment(client, art, tokens=without)
        assert response.status_code == 400
        assert all_comments() == []
        response = post_comment(client, art, tokens=fetch_form(client, art))
        assert response.status_code == 303
        assert len(all_comments()) == 1


def test_article_model_counts_are_untouched_by_rejections(client, factory):
    art = factory.article()
    post_comment(client, art, captcha="SAI")
    post_comment(client, art, name="")
    assert db.session.get(Article, art.id).comment_count == 0
    assert all_comments() == []


# ------------------------------------------------------------------ cost of a post


class WriteLog:
    """Commits and data-changing statements sent to SQLite while the block runs."""

    def __init__(self) -> None:
        self.commits = 0
        self.writes: list[str] = []

    def __enter__(self):
        sa.event.listen(db.engine, "commit", self._commit)
        sa.event.listen(db.engine, "before_cursor_execute", self._statement)
        return self

    def __exit__(self, *exc) -> None:
        sa.event.remove(db.engine, "commit", self._commit)
        sa.event.remove(db.engine, "before_cursor_execute", self._statement)

    def _commit(self, conn) -> None:
        self.commits += 1

    def _statement(self, conn, cursor, statement, *args) -> None:
        if "site_settings WHERE 0" in statement:
            return  # the read-only probe before every POST (bantin.web.readonly)
        if statement.lstrip().split(None, 1)[0].upper() in ("INSERT", "UPDATE", "DELETE"):
            self.writes.append(statement.split("(", 1)[0].strip())


@pytest.mark.parametrize("guard_on", [False, True])
def test_an_accepted_comment_is_one_write_transaction(app_factory, guard_on):
    """Captcha spent, comment stored and approved count moved: one commit, nothing else."""
    app = app_factory(SPAM_GUARD_ENABLED=guard_on)
    now = [utcnow()]
    app.config["CLOCK"] = lambda: now[0]
    with app.app_context():
        make = Factory()
        art = make.article()
        settings = make.settings(comments_require_approval=False)
        assert settings.comments_require_approval is False
        client = app.test_client()
        # The worker's first post also runs the periodic purge (bantin.comments.maybe_purge).
        tokens = fetch_form(client, art)
        now[0] += timedelta(seconds=5)
        assert post_comment(client, art, tokens, content="Ý kiến đầu").status_code == 303
        now[0] += timedelta(minutes=5)
        tokens = fetch_form(client, art)
        now[0] += timedelta(seconds=5)
        with WriteLog() as log:
            response = post_comment(client, art, tokens=tokens)
        assert response.status_code == 303
        assert log.commits == 1
        # With the guard on, the comment also counts as its client's rate hit (rate_event).
        expected = ["UPDATE", "INSERT", "INSERT", *(["INSERT"] if guard_on else []), "UPDATE"]
        assert [w.split()[0] for w in log.writes] == expected
        assert "captcha_challenge" in log.writes[0] and "captcha_challenge" in log.writes[1]
        assert "comment" in log.writes[2] and "article" in log.writes[-1]
        if guard_on:
            assert "rate_event" in log.writes[3]
        db.session.expire_all()
        assert db.session.get(Article, art.id).comment_count == 2
        # A rejected post spends its challenge in one commit as well.
        tokens = fetch_form(client, art)
        now[0] += timedelta(seconds=30)
        with WriteLog() as log:
            response = post_comment(client, art, tokens=tokens, captcha="SAI", content="Hai")
        assert response.status_code == 400
        assert log.commits == 1 and len(log.writes) == 2  # the UPDATE and the spent INSERT


# ------------------------------------------------------------------ the cached blank form


def _form_html(html: str) -> str:
    start = html.index('<form class="comment-form"')
    return html[start : html.index("</form>", start) + len("</form>")]


def test_blank_forms_come_from_the_cache_with_fresh_tokens(app_factory):
    from bantin.comment_form import CommentForm

    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        art = Factory().article()
        alice, bob = app.test_client(), app.test_client()
        first, second = page(alice, art), page(bob, art)
        again = page(alice, art)
        a, b, c = (form_tokens(h) for h in (first, second, again))
        # Every view gets its own captcha token and form time; CSRF tokens per session.
        assert len({a["captcha_token"], b["captcha_token"], c["captcha_token"]}) == 3
        assert a["ts"] and a["csrf_token"] and a["csrf_token"] != b["csrf_token"]
        for html, tokens in ((first, a), (second, b)):
            form = _form_html(html)
            assert "BantinHole" not in html
            assert form.count(tokens["captcha_token"]) == 3  # image, hidden field, audio
            assert f'src="/captcha/{tokens["captcha_token"]}.png"' in form
        # The cached copy is exactly what a form rendered with real tokens gives, tokens aside.
        with app.test_request_context(article_url(art)):
            from flask import render_template

            from bantin.queries import article_with_category

            full = article_with_category(art.id)
            real = CommentForm(formdata=None).prepare(full)
            fresh = render_template("public/_comment_form.html", article=full, comment_form=real)
            ours = {"captcha_token": real.captcha.token, "ts": real.ts.data}
            ours["csrf_token"] = real.csrf_token.current_token
        normalised = [_form_html(first), _form_html(fresh)]
        for i, tokens in enumerate((a, ours)):
            for name, value in tokens.items():
                normalised[i] = normalised[i].replace(value, f"<{name}>")
        assert normalised[0] == normalised[1]
        # And posting the cached form works (CSRF on, test captcha).
        response = alice.post(post_url(art), data=dict(GOOD, **c))
        assert response.status_code == 303


def test_the_cached_form_follows_the_approval_setting_and_the_article(client, factory):
    art, other = factory.article(), factory.article()
    note = "Ý kiến sẽ hiển thị sau khi được ban biên tập duyệt."
    assert note in page(client, art)
    factory.settings(comments_require_approval=False)
    assert note not in page(client, art)
    html = page(client, other)
    assert f'action="{post_url(other)}#comment-form"' in html
    assert f"/captcha/new?article={other.id}" in html


def test_the_setting_says_a_typed_email_is_not_enough(client, factory, login):
    login(factory.user("admin"))
    html = client.get("/editor/settings").get_data(as_text=True)
    assert "gửi lại từ trình duyệt đã có bình luận được duyệt" in html
    assert "Email gõ vào thôi thì không đủ." in html
