"""Two app hosts, one database: what a host keeps must never disagree with the other.

Two gunicorn instances (the shipped settings, each with its own workers and its own page
cache in memory) on different ports serve the same database, as two app servers behind one
nginx would. With CSRF and the comment guard on, as in production, a browser moves between
them the way a balancer would move it. The engine is the suite's: on PostgreSQL (the layout
docs/scale.md describes) this is the multi-host proof; on SQLite it checks the same promises
for two processes sharing one file on one machine.
"""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from bantin import guard
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import Article, ArticleStatus, Category, Comment, Role, User
from tests.conftest import PASSWORD, live_app_context
from tests.faults.support import Browser, comment_form
from tests.security.forms import parse_forms

pytestmark = pytest.mark.live

EDITOR = "bien-tap@example.vn"


@pytest.fixture
def hosts(live_server_factory):
    settings = {"WTF_CSRF_ENABLED": True, "SPAM_GUARD_ENABLED": True}
    first = live_server_factory(workers=2, shipped_settings=True, **settings)
    second = live_server_factory(workers=2, shipped_settings=True, **settings)
    assert first.port != second.port
    with live_app_context(first):
        category = Category(name="Thời sự", slug="thoi-su")
        article = Article(
            title="Lịch tiếp công dân tháng Mười hai",
            slug="lich-tiep-cong-dan-thang-muoi-hai",
            category=category,
            lead="Ủy ban công bố lịch tiếp công dân.",
            body="<p>Bản đầu tiên của lịch.</p>",
            author_name="Văn phòng",
            status=ArticleStatus.PUBLISHED,
            published_at=utcnow() - timedelta(hours=1),
        )
        editor = User(email=EDITOR, name="Biên tập viên", role=Role.EDITOR)
        editor.set_password(PASSWORD)
        db.session.add_all([category, article, editor])
        db.session.commit()
        path = f"/article/{article.id}/{article.slug}"
        article_id = article.id
    return first, second, article_id, path


def sign_in(browser: Browser) -> None:
    page = browser.get("/login")
    form = next(f for f in parse_forms(page.text) if f.action.endswith("/login"))
    reply = browser.post("/login", form.data(email=EDITOR, password=PASSWORD))
    assert reply.status in (302, 303), reply.text[:300]


def test_an_edit_through_one_host_is_served_fresh_by_the_other(hosts):
    first, second, article_id, path = hosts
    reader = Browser(second.url)
    assert "Bản đầu tiên của lịch." in reader.get(path).text  # now in the second's cache
    assert "Bản đầu tiên của lịch." in reader.get(path).text

    staff = Browser(first.url)
    sign_in(staff)
    edit = staff.get(f"/editor/articles/{article_id}/edit")
    assert edit.status == 200
    form = next(f for f in parse_forms(edit.text) if f.action.endswith("/edit"))
    assert form.fields["csrf_token"]
    body = "<p>Lịch đã sửa: thêm buổi chiều thứ Năm.</p>"
    saved = staff.post(form.action, form.data(body=body))
    assert saved.status == 303, saved.text[:500]

    page = reader.get(path).text  # the very next request to the other host
    assert "Lịch đã sửa: thêm buổi chiều thứ Năm." in page
    assert "Bản đầu tiên của lịch." not in page
    reader.base = first.url
    assert "Lịch đã sửa: thêm buổi chiều thứ Năm." in reader.get(path).text


def test_a_session_signed_in_on_one_host_is_refused_by_both_once_revoked(hosts):
    first, second, _, _ = hosts
    desk, laptop = Browser(first.url), Browser(first.url)
    sign_in(desk)
    sign_in(laptop)
    laptop.base = second.url
    assert laptop.get("/editor/").status == 200  # the other host accepts the session

    form = next(f for f in parse_forms(desk.get("/editor/").text) if f.action.endswith("/logout"))
    assert desk.post("/logout", form.data()).status in (302, 303)  # signs out everywhere

    refused = laptop.get("/editor/")
    assert refused.status in (302, 303) and "/login" in refused.headers["Location"]
    laptop.base = first.url
    assert laptop.get("/editor/").status in (302, 303)


def test_a_captcha_answered_on_one_host_is_refused_by_the_other(hosts):
    first, second, article_id, path = hosts
    reader = Browser(first.url)
    form = comment_form(reader.get(path).text)
    data = form.data(name="Bạn đọc", content="Xin hỏi giờ tiếp dân buổi chiều.", captcha="TEST1")
    data.pop("website", None)
    data["ts"] = _shown_seconds_ago(first, article_id, 10)
    accepted = reader.post(form.action.split("#")[0], data)
    assert accepted.status == 303, accepted.text[:300]

    reader.base = second.url  # the same form and session, replayed on the other host
    replay = dict(data, content="Một ý kiến khác với cùng mã xác nhận.")
    refused = reader.post(form.action.split("#")[0], replay)
    assert refused.status == 400
    with live_app_context(first):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1


def test_the_comment_rate_limit_is_shared_by_the_hosts(hosts):
    first, second, article_id, path = hosts
    reader = Browser(first.url)

    def send(base: str, content: str):
        reader.base = base
        form = comment_form(reader.get(path).text)
        data = form.data(name="Bạn đọc", content=content, captcha="TEST1")
        data.pop("website", None)
        data["ts"] = _shown_seconds_ago(first, article_id, 10)
        return reader.post(form.action.split("#")[0], data)

    assert send(first.url, "Ý kiến thứ nhất về lịch tiếp dân.").status == 303
    second_try = send(second.url, "Ý kiến thứ hai, gửi ngay sau đó.")
    assert second_try.status == 400
    assert "Vui lòng đợi ít nhất 15 giây" in second_try.text
    with live_app_context(first):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Comment)) == 1


def _shown_seconds_ago(server, article_id: int, seconds: int) -> str:
    """The form's signed "shown at" value as if the reader had spent `seconds` typing (the
    guard refuses forms sent within 3 s), signed with the hosts' shared secret."""
    import ast

    config = ast.literal_eval(server.env["BANTIN_TEST_CONFIG"])
    shown = utcnow() - timedelta(seconds=seconds)
    with create_app(config | {"CLOCK": lambda: shown}).app_context():
        return guard.form_timestamp(article_id)
