"""Moderator and staff pages (issue 12 C): the sign-in page without the reader sidebar, the
dashboard's small-screen chart, the moderation queue's stylesheet, one spelling of "Xóa", and
a label for every action code the audit log can show. The browser half, at 1366 and 360 px,
is tests/browser/test_staff_pages_browser.py."""

import ast
import html as htmllib
import logging
import re
import unicodedata
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from bantin import audit, charts
from bantin.clock import local_today
from bantin.comments import Action
from bantin.extensions import db
from bantin.models import AuditLog, DailyStats

ROOT = Path(__file__).resolve().parent.parent


def text(response) -> str:
    return response.get_data(as_text=True)


# ------------------------------------------------------------------ sign-in page


def test_login_page_is_focused_without_the_reader_sidebar(client, factory):
    factory.article()
    page = text(client.get("/login"))
    assert "layout-focused" in page
    assert "<aside" not in page and 'class="sidebar"' not in page
    assert "Tin mới nhất" not in page and "Thống kê truy cập" not in page
    # Nothing links back to the page itself (the form posts to it; the skip link is "#main").
    assert not re.search(r'<a [^>]*href="/login[?"]', page)
    assert 'action="/login"' in page and 'name="password"' in page
    # Reader pages keep their sidebar and its sign-in box.
    home = text(client.get("/"))
    assert 'class="sidebar"' in home and 'href="/login"' in home


def test_login_page_keeps_next_and_the_focused_layout_on_errors(client):
    response = client.post("/login?next=/editor/comments", data={"email": "", "password": ""})
    page = text(response)
    assert response.status_code in (200, 400)
    assert "layout-focused" in page and 'class="sidebar"' not in page
    assert 'action="/login?next=/editor/comments"' in page


# ------------------------------------------------------------------ moderation queue


def test_moderation_styles_never_break_a_word_anywhere():
    """ "overflow-wrap: anywhere" let the table squeeze names to letters ("Nguy/ễn")."""
    css = (ROOT / "static/css/editor-comments.css").read_text("utf-8")
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    assert "anywhere" not in rules and "break-all" not in rules
    assert "overflow-wrap: break-word" in rules
    # Below 760 px each comment is a card (a grid), not a table row.
    phone = rules[rules.index("@media (max-width: 760px)") :]
    assert re.search(r"tr\.comment-row\s*\{[^}]*display:\s*grid", phone)


def test_moderation_rows_carry_the_card_hooks(client, factory, login):
    from bantin.models import CommentStatus
    from tests.comment_helpers import make_comment

    art = factory.article()
    comment = make_comment(art, CommentStatus.PENDING, name="Nguyễn Thị Thanh Nguyệt")
    login(factory.user("editor"))
    page = text(client.get("/editor/comments"))
    assert f'<tr id="comment-{comment.id}" class="comment-row">' in page
    assert '<td class="check-cell"><input type="checkbox" name="ids"' in page
    # The bulk form still posts without JavaScript: one form, checkboxes and a submit button.
    assert 'method="post" action="/editor/comments/bulk"' in page
    assert '<select id="bulk-action" name="action">' in page


# ------------------------------------------------------------------ dashboard chart


@pytest.fixture
def thirty_days(app):
    today = local_today()
    for back in range(30):
        db.session.add(DailyStats(day=today - timedelta(days=back), visits=back * 10, page_views=0))
    db.session.commit()
    return today


def _svg(page: str, css_class: str) -> str:
    match = re.search(rf'<svg [^>]*class="chart {css_class}".*?</svg>', page, re.S)
    assert match, f"no svg.chart.{css_class} on the page"
    return match.group(0)


def test_dashboard_has_a_small_screen_chart(client, factory, login, thirty_days):
    login(factory.user("editor"))
    page = text(client.get("/editor/"))
    wide = _svg(page, "chart-wide")
    narrow = _svg(page, "chart-narrow")
    assert len(re.findall(r'<rect class="bar"', wide)) == 30
    # The narrow chart: drawn about as wide as a phone's column, so its text keeps its size.
    width = int(re.search(r'viewBox="0 0 (\d+) \d+"', narrow).group(1))
    assert width <= 400
    sizes = {int(s) for s in re.findall(r'font-size="(\d+)"', narrow)}
    assert sizes and min(sizes) >= 13
    # Every day labelled, newest first (like the table), every value written out.
    days = re.findall(r'<text class="axis day"[^>]*>([^<]*)</text>', narrow)
    today = thirty_days
    assert len(days) == 30
    assert days[0] == today.strftime("%d/%m") and days[-1] == (today - timedelta(29)).strftime(
        "%d/%m"
    )
    values = re.findall(r'<text class="value"[^>]*>([^<]*)</text>', narrow)
    assert values[:3] == ["0", "10", "20"] and values[-1] == "290"
    # Its own title and description, for screen readers.
    assert 'aria-labelledby="visits-chart-narrow-title visits-chart-narrow-desc"' in narrow
    assert "mới nhất ở trên" in narrow
    assert "style=" not in narrow


def test_the_stylesheet_swaps_the_charts_on_small_screens():
    css = (ROOT / "static/css/editor.css").read_text("utf-8")
    assert re.search(r"\.chart-narrow\s*\{\s*display:\s*none;", css)
    block = css[css.index("@media (max-width: 900px)") :]
    assert re.search(r"\.chart\.chart-wide\s*\{\s*display:\s*none;", block)
    assert re.search(r"\.chart\.chart-narrow\s*\{[^}]*display:\s*block;[^}]*max-width", block)


def test_hbar_chart_escapes_and_scales():
    svg = str(
        charts.hbar_chart(
            [("<b>1</b>", 50), ('"x"', 0), ("z", 100)],
            title="<script>",
            desc="a & b",
            chart_id='c"1',
            css_class="chart-narrow",
        )
    )
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<b>" not in svg and "&lt;b&gt;1&lt;/b&gt;" in svg
    assert "a &amp; b" in svg and 'id="c&#34;1-title"' in svg
    widths = [float(w) for w in re.findall(r'<rect class="bar"[^>]*width="([\d.]+)"', svg)]
    assert widths[1] == 0 and widths[2] == pytest.approx(2 * widths[0])
    # The longest bar and its value fit inside the picture.
    view_w = int(re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    x_values = [float(x) for x in re.findall(r'<text class="value" x="([\d.]+)"', svg)]
    assert max(x_values) + 3 * 14 * 0.62 <= view_w
    empty = str(charts.hbar_chart([], title="t", desc="d"))
    assert empty.startswith("<svg") and "<rect" not in empty


# ------------------------------------------------------------------ one spelling of "Xóa"


@pytest.mark.parametrize("folder", ["templates", "bantin", "blueprints", "docs", "static/js"])
def test_xoa_is_spelled_one_way(folder):
    """ "Xóa" (the tone mark on the o), never "Xoá", in NFC or decomposed form."""
    wrong = []
    for path in sorted((ROOT / folder).rglob("*")):
        if not path.is_file() or path.suffix not in {".py", ".html", ".md", ".js", ".txt", ".xml"}:
            continue
        content = unicodedata.normalize("NFC", path.read_text("utf-8")).casefold()
        for number, line in enumerate(content.splitlines(), 1):
            if "xoá" in line:
                wrong.append(f"{path.relative_to(ROOT)}:{number}")
    assert wrong == []


# ------------------------------------------------------------------ audit action labels

SOURCES = sorted([*ROOT.glob("bantin/**/*.py"), *ROOT.glob("blueprints/**/*.py"), ROOT / "app.py"])
# Places that compute their code: each is covered by a test below.
DYNAMIC = {
    "bantin/articles.py",
    "bantin/comments.py",
    "bantin/official_documents.py",
    "bantin/site_pages.py",
}


def _recorded_codes() -> tuple[dict[str, str], set[str]]:
    """Every literal action code passed to audit.record / audit.record_repeat (directly, by a
    module constant, or as articles.save(action=...)), and the files that compute one."""
    codes: dict[str, str] = {}
    dynamic: set[str] = set()
    for path in SOURCES:
        tree = ast.parse(path.read_text("utf-8"))
        constants = {
            target.id: node.value.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            for target in node.targets
            if isinstance(target, ast.Name)
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(getattr(func, "value", None), "id", "")
            keyword = next((k.value for k in node.keywords if k.arg == "action"), None)
            if name in ("record", "record_repeat") and owner == "audit":
                arg = node.args[0] if node.args else keyword
            elif name == "save" and keyword is not None:
                arg = keyword
            else:
                continue
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            if isinstance(arg, ast.Constant):
                codes[arg.value] = where
            elif isinstance(arg, ast.Name) and arg.id in constants:
                codes[constants[arg.id]] = where
            else:
                dynamic.add(str(path.relative_to(ROOT)))
    return codes, dynamic


def _article_codes() -> set[str]:
    """The codes bantin.articles picks for a save (its _action_for)."""
    tree = ast.parse((ROOT / "bantin/articles.py").read_text("utf-8"))
    function = next(
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "_action_for"
    )
    return {
        node.value
        for node in ast.walk(function)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_every_recorded_action_code_has_a_label():
    codes, dynamic = _recorded_codes()
    assert len(codes) >= 20, codes  # the scan finds the calls
    unlabelled = {code: where for code, where in codes.items() if code not in audit.ACTIONS}
    assert unlabelled == {}
    assert dynamic == DYNAMIC, "a new computed audit code: cover it in this test"
    assert _article_codes() >= {"article.create", "article.publish", "article.edit"}
    assert _article_codes() - set(audit.ACTIONS) == set()
    assert {f"comment.{action.value}" for action in Action} - set(audit.ACTIONS) == set()


def test_every_label_is_distinct_and_translatable():
    labels = [str(label) for label in audit.ACTIONS.values()]
    assert len(set(labels)) == len(labels)
    for code, label in audit.ACTIONS.items():
        assert hasattr(label, "_args"), f"{code}: use lazy_gettext so the reader's language applies"
        assert str(label) != code
    assert audit.label("article.edit") == "Sửa bài viết"
    assert audit.label("no.such") == "no.such"


def test_recording_an_unregistered_code_fails_in_tests_and_is_logged_in_production(app, caplog):
    with pytest.raises(ValueError, match="not in bantin.audit.ACTIONS"):
        audit.record("article.frobnicate")
    with pytest.raises(ValueError):
        audit.record_repeat("login.guess")
    db.session.rollback()
    app.config["TESTING"] = False
    try:
        with caplog.at_level(logging.WARNING):
            audit.record("article.frobnicate", "article", 1, "x")
            db.session.commit()
    finally:
        app.config["TESTING"] = True
    assert "article.frobnicate" in caplog.text
    assert db.session.scalar(sa.select(AuditLog.action)) == "article.frobnicate"


def test_audit_log_labels_every_action_and_target(app, client, factory, login):
    with app.test_request_context():  # the labels in the page's language (Vietnamese)
        names = {code: str(label) for code, label in audit.ACTIONS.items()}
        targets = {kind: str(label) for kind, label in audit.TARGETS.items()}
    admin = factory.user("admin")
    login(admin)
    db.session.execute(sa.delete(AuditLog))
    for n, code in enumerate(audit.ACTIONS):
        target = code.split(".")[0] if code.split(".")[0] in audit.TARGETS else "user"
        db.session.add(
            AuditLog(action=code, actor=admin.email, target_type=target, target_id=n, detail=code)
        )
    db.session.commit()
    # Every code, over as many pages of 50 as that takes ("Cũ hơn" leads on).
    rows, address, first = [], "/editor/audit", None
    while address:
        page = htmllib.unescape(text(client.get(address)))
        first = first or page
        rows += re.findall(r'<tr class="audit-row(?: warn)?">.*?</tr>', page, re.S)
        older = re.search(r'<a href="([^"]+)" rel="next">', page)
        address = older and older.group(1)
    page = first
    assert len(rows) == len(audit.ACTIONS)
    for code, label in names.items():
        row = next(r for r in rows if f'<code class="muted">{code}</code>' in r)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        # The action cell starts with the label; the code follows in small print.
        assert cells[2].strip().startswith(label), (code, cells[2])
        target = code.split(".")[0] if code.split(".")[0] in audit.TARGETS else "user"
        assert cells[3].startswith(targets[target]), (code, cells[3])
    # The filter box suggests every family and every code, with its label.
    for family in ("login", "logout", "article", "comment", "media", "user"):
        assert f'<option value="{family}">' in page
    assert '<option value="article.edit">Sửa bài viết</option>' in page
