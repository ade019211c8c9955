"""Hỏi đáp: readers ask (the comment form's protections), editors answer and publish,
readers find answers by field and by words without diacritics; the asker gets a mail."""

import re
from datetime import timedelta
from html import unescape

import pytest
import sqlalchemy as sa

from bantin import official_documents
from bantin.clock import utcnow
from bantin.extensions import db
from bantin.models import AuditLog, MailMessage, Question, QuestionStatus, TermKind
from tests.comment_helpers import field_error, form_tokens, input_value, textarea_value
from tests.conftest import Factory

ASK = {
    "title": "Thủ tục cấp giấy chứng nhận quyền sử dụng đất đai",
    "name": "Nguyễn Văn An",
    "address": "Thôn Đông",
    "email": "",
    "content": "Xin hỏi thủ tục cấp sổ đỏ lần đầu cần những giấy tờ gì?",
    "captcha": "TEST1",
    "website": "",
}
MAIL_ON = {
    "MAIL_SERVER": "127.0.0.1",
    "MAIL_PORT": 2525,
    "MAIL_DEFAULT_SENDER": "Ban biên tập <bantin@example.org>",
    "MAIL_SITE_URL": "https://tin.example.vn",
}
ANSWER = "Bạn cần đơn đề nghị và giấy tờ về quyền sử dụng đất.\nNộp tại bộ phận một cửa."


def ask_tokens(client) -> dict:
    response = client.get("/questions")
    assert response.status_code == 200
    tokens = form_tokens(response.get_data(as_text=True))
    assert "captcha_token" in tokens and "ts" in tokens
    return tokens


def ask(client, tokens: dict | None = None, **fields):
    data = dict(tokens if tokens is not None else ask_tokens(client))
    data.update(ASK)
    data.update(fields)
    return client.post("/questions", data={k: v for k, v in data.items() if v is not None})


def all_questions() -> list[Question]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Question).order_by(Question.id)))


def field_term(name: str):
    term = official_documents.create_term(TermKind.FIELD, name, name_en=f"{name} (en)")
    db.session.commit()
    return term


@pytest.fixture
def editor(factory, login):
    user = factory.user("editor")
    login(user)
    return user


def answer(client, question, action="publish", **fields):
    data = {
        "title": question.title,
        "content": question.content,
        "answer": ANSWER,
        "field": str(question.field_id or ""),
        "action": action,
    }
    data.update(fields)
    return client.post(f"/editor/questions/{question.id}", data=data)


# ------------------------------------------------------------------ the whole path


def test_ask_answer_publish_then_readers_find_it(client, factory, editor):
    land = field_term("Đất đai")
    response = ask(client, field=str(land.id))
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/questions#ask")
    page = client.get("/questions").get_data(as_text=True)
    assert "Câu hỏi của bạn đã được gửi" in page
    [question] = all_questions()
    assert question.status == QuestionStatus.PENDING and question.field_id == land.id
    assert question.language == "vi" and question.ip
    # Pending: not public.
    assert ASK["title"] not in client.get("/questions").get_data(as_text=True)
    assert client.get(f"/questions/{question.id}").status_code == 404
    # The editor's queue lists it, the menu counts it.
    queue = client.get("/editor/questions").get_data(as_text=True)
    assert ASK["title"] in queue and "Chờ trả lời" in queue
    assert re.search(r"Hỏi đáp <span class=\"badge\"[^>]*>1<", queue)
    assert client.get(f"/editor/questions/{question.id}").status_code == 200

    assert answer(client, question).status_code == 303
    db.session.expire_all()
    question = db.session.get(Question, question.id)
    assert question.status == QuestionStatus.PUBLISHED
    assert question.answer == ANSWER and question.answered_by_id == editor.id
    assert question.published_at and question.answered_at
    assert question.notified_at is None  # no email given: no mail
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MailMessage)) == 0

    listing = client.get("/questions").get_data(as_text=True)
    assert ASK["title"] in listing
    assert f'<h2 class="qa-group-title" id="qa-group-{land.id}">Đất đai</h2>' in listing
    assert "Nộp tại bộ phận một cửa." in listing
    single = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "Trả lời của ban biên tập" in single
    assert "giấy tờ về quyền sử dụng đất.<br>Nộp tại bộ phận một cửa." in single
    # Found without diacritics, in the title, the question or the answer.
    for q in ("dat dai", "DAT DAI", "so do", "mot cua", "đất đai"):
        assert ASK["title"] in client.get("/questions", query_string={"q": q}).get_data(
            as_text=True
        ), q
    missing = client.get("/questions", query_string={"q": "hộ chiếu"}).get_data(as_text=True)
    assert ASK["title"] not in missing and "Không có câu hỏi nào khớp" in missing
    actions = set(db.session.scalars(sa.select(AuditLog.action)))
    assert {"question.publish", "question.edit"} <= actions


def test_grouped_by_field_with_a_filter(client, factory, editor):
    land, health = field_term("Đất đai"), field_term("Y tế")
    now = utcnow()
    rows = [
        ("Hỏi về đất ở", land.id, now - timedelta(days=2)),
        ("Hỏi về bảo hiểm y tế", health.id, now - timedelta(days=1)),
        ("Hỏi về đất nông nghiệp", land.id, now),
        ("Hỏi chung chung", None, now),
    ]
    for title, field_id, at in rows:
        db.session.add(
            Question(
                title=title,
                name="Bạn đọc",
                content="Nội dung",
                answer="Trả lời",
                field_id=field_id,
                status=QuestionStatus.PUBLISHED,
                published_at=at,
                folded=f" {title} ",
            )
        )
    db.session.commit()
    html = client.get("/questions").get_data(as_text=True)
    titles = re.findall(r'<h3 class="qa-title"><a [^>]*>([^<]+)</a>', html)
    # Fields in the list's order, newest first in each, no field last.
    assert titles == [
        "Hỏi về đất nông nghiệp",
        "Hỏi về đất ở",
        "Hỏi về bảo hiểm y tế",
        "Hỏi chung chung",
    ]
    assert html.count('class="qa-group"') == 3 and "Lĩnh vực khác" in html
    html = client.get("/questions", query_string={"field": health.id}).get_data(as_text=True)
    assert re.findall(r'<h3 class="qa-title"><a [^>]*>([^<]+)</a>', html) == [
        "Hỏi về bảo hiểm y tế"
    ]
    assert client.get("/questions", query_string={"field": "x"}).status_code == 400
    assert client.get("/questions", query_string={"field": "999"}).status_code == 200
    assert client.get("/questions", query_string={"page": "9"}).status_code == 404


def test_the_asker_is_mailed_once_in_their_language(app_factory):
    app = app_factory(**MAIL_ON)  # queueing needs only MAIL_SERVER; nothing is sent here
    with app.app_context():
        client = app.test_client()
        client.set_cookie("lang", "en")
        assert ask(client, email="An.Nguyen@Example.com").status_code == 303
        [question] = all_questions()
        assert question.language == "en" and question.email == "an.nguyen@example.com"
        user = Factory().user("editor")
        client.post("/login", data={"email": user.email, "password": "correct horse battery"})
        assert answer(client, question, action="save").status_code == 303
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MailMessage)) == 0
        assert answer(client, question).status_code == 303
        [message] = db.session.scalars(sa.select(MailMessage)).all()
        assert message.to_addr == "an.nguyen@example.com" and message.language == "en"
        assert message.template == "question_answered"
        assert message.subject.startswith("Your question has been answered")
        assert ANSWER.splitlines()[0] in message.body_text
        assert f"https://tin.example.vn/questions/{question.id}" in message.body_text
        # Taking it down and publishing again sends nothing more.
        answer(client, question, action="unpublish")
        answer(client, question)
        assert db.session.scalar(sa.select(sa.func.count()).select_from(MailMessage)) == 1


def test_vietnamese_mail(app_factory):
    app = app_factory(**MAIL_ON)
    with app.app_context():
        client = app.test_client()
        ask(client, email="an@example.com")
        [question] = all_questions()
        user = Factory().user("editor")
        client.post("/login", data={"email": user.email, "password": "correct horse battery"})
        answer(client, question)
        [message] = db.session.scalars(sa.select(MailMessage)).all()
        assert message.language == "vi"
        assert message.subject == f"Câu hỏi của bạn đã được trả lời: {ASK['title']}"
        assert "Trả lời của ban biên tập:" in message.body_text


# ------------------------------------------------------------------ the ask form


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"title": ""}, "title", "Vui lòng nhập tiêu đề câu hỏi."),
        ({"title": "Hỏi"}, "title", "Tiêu đề cần ít nhất 5 ký tự."),
        ({"title": "x" * 201}, "title", "Tối đa 200 ký tự"),
        ({"name": " "}, "name", "Vui lòng nhập họ và tên."),
        ({"content": ""}, "content", "Vui lòng nhập nội dung câu hỏi."),
        ({"content": "x" * 4001}, "content", "Tối đa 4.000 ký tự"),
        ({"email": "not-an-email"}, "email", "Địa chỉ email không hợp lệ."),
        ({"field": "12345"}, "field", "Lĩnh vực không có trong danh sách"),
        ({"captcha": ""}, "captcha", "Vui lòng nhập mã xác nhận."),
        ({"captcha": "WRONG"}, "captcha", "Mã xác nhận không đúng"),
    ],
)
def test_bad_input_keeps_what_was_typed(client, fields, field, message):
    response = ask(client, **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in (field_error(html, field) or "")
    typed = {**ASK, **fields}
    for name in ("title", "name", "address"):
        assert input_value(html, name) == typed[name].strip()
    assert textarea_value(html, "content") == typed["content"].strip()
    assert input_value(html, "captcha") == ""  # never echoed; a fresh challenge instead
    assert all_questions() == []


def test_the_typed_field_and_email_are_kept(client):
    land = field_term("Đất đai")
    html = ask(client, field=str(land.id), email="an@example.com", title="").get_data(as_text=True)
    assert re.search(
        rf'<option selected value="{land.id}">|<option value="{land.id}" selected', html
    )
    assert input_value(html, "email") == "an@example.com"


def test_the_form_escapes_output(client, editor):
    ask(client, title="<script>alert(1)</script> tiêu đề", content="<b>đậm</b> nội dung")
    [question] = all_questions()
    answer(client, question, answer="<img src=x onerror=alert(1)>")
    html = client.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and "<b>đậm</b>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# ------------------------------------------------------------------ the guard


@pytest.fixture
def guarded(app_factory):
    from tests.test_guard import Clock

    app = app_factory(SPAM_GUARD_ENABLED=True)
    with app.app_context():
        yield app, Clock(app), app.test_client()


def test_guard_refuses_fast_forged_and_repeated_posts(guarded):
    app, clock, client = guarded
    tokens = ask_tokens(client)
    clock.tick(seconds=1)
    response = ask(client, tokens=tokens)
    assert response.status_code == 400
    assert "Bạn gửi nhanh quá" in unescape(response.get_data(as_text=True))
    assert input_value(response.get_data(as_text=True), "title") == ASK["title"]
    # A comment form's time token is not the questions form's.
    response = ask(client, tokens={**ask_tokens(client), "ts": "forged"})
    assert "Biểu mẫu đã hết hạn" in unescape(response.get_data(as_text=True))
    tokens = ask_tokens(client)
    clock.tick(seconds=10)
    assert ask(client, tokens=tokens).status_code == 303
    tokens = ask_tokens(client)
    clock.tick(seconds=5)
    response = ask(client, tokens=tokens, content="Một câu hỏi khác hẳn câu trước.")
    assert response.status_code == 400  # one post per 15 s
    assert "15 giây" in unescape(response.get_data(as_text=True))
    tokens = ask_tokens(client)
    clock.tick(seconds=30)
    response = ask(client, tokens=tokens)  # the same text again
    assert response.status_code == 400
    assert "Câu hỏi này đã được gửi trước đó." in unescape(response.get_data(as_text=True))
    assert len(all_questions()) == 1


def test_honeypot_stores_nothing(guarded):
    app, clock, client = guarded
    tokens = ask_tokens(client)
    clock.tick(seconds=10)
    assert ask(client, tokens=tokens, website="http://spam.example").status_code == 303
    assert all_questions() == []


def test_blocked_keyword_goes_to_spam(client, factory):
    factory.settings(blocked_keywords="cá độ")
    assert ask(client, content="Mời tham gia cá độ bóng đá").status_code == 303
    [question] = all_questions()
    assert question.status == QuestionStatus.SPAM


# ------------------------------------------------------------------ the editor


def test_publishing_needs_an_answer_and_rejecting_hides(client, factory, editor):
    ask(client)
    [question] = all_questions()
    response = answer(client, question, answer="   ")
    assert response.status_code == 400
    assert "Hãy viết câu trả lời trước khi đăng." in response.get_data(as_text=True)
    assert all_questions()[0].status == QuestionStatus.PENDING
    answer(client, question)
    assert client.get(f"/questions/{question.id}").status_code == 200
    answer(client, question, action="reject")
    assert all_questions()[0].status == QuestionStatus.REJECTED
    assert client.get(f"/questions/{question.id}").status_code == 404
    assert ASK["title"] not in client.get("/questions").get_data(as_text=True)
    assert (
        client.get("/editor/questions?status=rejected").get_data(as_text=True).count(ASK["title"])
    )


def test_an_edit_of_a_published_answer_shows_at_once_and_is_audited(client, factory, editor):
    ask(client)
    [question] = all_questions()
    answer(client, question)
    assert "Nộp tại bộ phận một cửa." in client.get("/questions").get_data(as_text=True)
    answer(client, question, action="save", answer="Câu trả lời đã sửa.")
    html = client.get("/questions").get_data(as_text=True)
    assert "Câu trả lời đã sửa." in html and "Nộp tại bộ phận một cửa." not in html
    rows = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.action == "question.edit").order_by(AuditLog.id)
    ).all()
    assert "Nộp tại bộ phận một cửa." in rows[-1].detail


def test_the_editors_form_keeps_typed_text_on_error(client, editor):
    ask(client)
    [question] = all_questions()
    response = answer(client, question, title="", answer="Trả lời dở dang")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Vui lòng nhập tiêu đề câu hỏi." in html
    assert textarea_value(html, "answer") == "Trả lời dở dang"


def test_queue_tabs_and_unknown_ids(client, editor):
    assert client.get("/editor/questions?status=nope").status_code == 404
    assert client.get("/editor/questions/999999").status_code == 404
    assert (
        answer(
            client, type("Q", (), {"id": 1, "title": "t", "content": "c", "field_id": None})
        ).status_code
        == 404
    )
    assert client.get("/questions/999999").status_code == 404


def test_contributors_and_readers_may_not_answer(app, client, factory, login):
    ask(client)
    [question] = all_questions()
    assert client.get("/editor/questions").status_code in (302, 303)
    login(factory.user("contributor"))
    assert client.get("/editor/questions").status_code == 403
    assert client.get(f"/editor/questions/{question.id}").status_code == 403
    assert answer(client, question).status_code == 403
    assert all_questions()[0].status == QuestionStatus.PENDING


def test_posts_need_csrf_when_csrf_is_on(app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        tokens = ask_tokens(client)
        assert (
            ask(client, tokens={k: v for k, v in tokens.items() if k != "csrf_token"}).status_code
            == 400
        )
        assert all_questions() == []
        assert ask(client, tokens=tokens).status_code == 303
        [question] = all_questions()
        user = Factory().user("editor")
        with client.session_transaction() as session:
            session["_user_id"] = user.get_id()
            session["_fresh"] = True
        assert answer(client, question).status_code == 400
        html = client.get(f"/editor/questions/{question.id}").get_data(as_text=True)
        token = re.search(
            r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"',
            html,
        )
        token = token.group(1) or token.group(2)
        assert answer(client, question, csrf_token=token).status_code == 303


# ------------------------------------------------------------------ links


def test_reachable_from_the_footer_the_menu_and_the_sitemap(client, factory, login):
    assert 'href="/questions">Hỏi đáp</a>' in client.get("/").get_data(as_text=True)
    login(factory.user("admin"))
    assert 'value="questions"' in client.get("/editor/menu").get_data(as_text=True)
    ask(client)
    [question] = all_questions()
    answer(client, question)
    sitemap = client.get("/sitemap.xml").get_data(as_text=True)
    assert "/questions</loc>" in sitemap and f"/questions/{question.id}</loc>" in sitemap
