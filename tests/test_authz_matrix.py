"""Every editor route × every kind of visitor, and CSRF on every POST family of site management.

The routes come from the URL map, so pages other parts of the app add are covered too.
"""

import re
from datetime import date

import pytest
import sqlalchemy as sa

from app import create_app
from bantin import official_documents, site_pages
from bantin.extensions import db
from bantin.models import (
    ArticleRevision,
    AuditLog,
    Category,
    Comment,
    Contact,
    ContactUnit,
    Media,
    Question,
    Role,
    ScheduleEntry,
    SiteSettings,
    TermKind,
    User,
    WebLink,
)
from bantin.permissions import CAPABILITIES, Capability, role_can
from tests.conftest import PASSWORD

# CONTRACT.md and issue 14: only admins manage users, settings and the menu, read the audit
# log and the mail status. Views in these modules are admin-only whatever their decorator says.
ADMIN_ONLY_MODULES = {
    "blueprints.editor.settings",
    "blueprints.editor.users",
    "blueprints.editor.audit_log",
    "blueprints.editor.menu",
    "blueprints.editor.mail_status",
}
VISITORS = ("anonymous", "disabled", "contributor", "editor", "admin")


def _editor_routes() -> list[tuple[str, str, str]]:
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "tests-only-9f1c2be47a0d55e38b6c19f2a47d03be",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    )
    routes = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("editor."):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, rule.rule, method))
    return sorted(set(routes))


ROUTES = _editor_routes()


def capability_of(app, endpoint: str) -> Capability | None:
    """What the view's @requires names (None when it names nothing)."""
    return getattr(app.view_functions[endpoint], "capability", None)


def refused(app, endpoint: str, visitor: str) -> bool:
    """Should this signed-in visitor get 403 here? From the capability table, plus the one
    rule about rows: a contributor opens only their own articles and deletes only their own
    uploads (the world's article and photo belong to someone else)."""
    role = Role(visitor)
    if not role_can(role, capability_of(app, endpoint)):
        return True
    if role == Role.CONTRIBUTOR:
        rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
        return "article_id" in rule.arguments or endpoint == "editor.media_delete"
    return False


@pytest.fixture
def world(app, factory):
    """One of everything an editor URL can point at, plus the visitors."""
    admin = factory.user("admin", email="admin@example.com")
    editor = factory.user("editor", email="editor@example.com")
    contributor = factory.user("contributor", email="contributor@example.com")
    disabled = factory.user("editor", email="disabled@example.com")
    target = factory.user("editor", email="target@example.com")
    category = factory.category("Không có bài")
    article = factory.article(factory.category("Có bài"), title="Bài để thử")
    article.created_by_id = editor.id
    revision = ArticleRevision(article_id=article.id, title=article.title, body=article.body)
    media = Media(path="/uploads/2026/01/abcdef-800.jpg", mime="image/jpeg", width=800, height=600)
    comment = Comment(article_id=article.id, name="Bạn đọc", content="Ý kiến")
    link = WebLink(title="Liên kết", url="https://example.com")
    db.session.add_all([revision, media, comment, link])
    SiteSettings.get()
    db.session.add(AuditLog(action="seed", actor="seed"))
    db.session.commit()
    # The portal's rows: a document, a page (each with its first revision), a unit with a
    # person, a schedule entry.
    term = official_documents.create_term(TermKind.TYPE, "Quyết định")
    doc = official_documents.save(
        None,
        None,
        {"number": "1/QĐ", "abstract": "Thử", "type_id": term.id, "issued_on": date(2025, 1, 1)},
    )
    page = site_pages.save(
        None, None, {"title": "Giới thiệu", "status": "published", "body": "<p>x</p>"}
    )
    unit = ContactUnit(name="Văn phòng")
    db.session.add(unit)
    db.session.flush()
    person = Contact(unit_id=unit.id, name="Người")
    entry = ScheduleEntry(day=date(2026, 12, 31), content="Họp")
    question = Question(title="Hỏi", name="Bạn đọc", content="Nội dung câu hỏi")
    db.session.add_all([person, entry, question])
    db.session.commit()
    ids = {
        "document_id": doc.id,
        "term_id": term.id,
        "page_id": page.id,
        "unit_id": unit.id,
        "contact_id": person.id,
        "entry_id": entry.id,
        "article_id": article.id,
        "revision_id": revision.id,
        "category_id": category.id,
        "link_id": link.id,
        "user_id": target.id,
        "media_id": media.id,
        "comment_id": comment.id,
        "question_id": question.id,
    }
    users = {"admin": admin, "editor": editor, "contributor": contributor, "disabled": disabled}
    return {"users": users, "ids": ids}


def build_path(app, endpoint: str, ids: dict) -> str:
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    values = {}
    for name in rule.arguments:
        if name in ids:
            values[name] = ids[name]
        elif name == "action":
            values[name] = "approve"
        elif name.endswith("id"):
            values[name] = 1
        else:
            values[name] = "x"
    with app.test_request_context():
        from flask import url_for

        return url_for(endpoint, **values)


def sign_in(app, user: User):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 303
    return client


def check_visit(app, world, endpoint, path, method, visitor) -> str | None:
    """One visitor against one route; a description of what went wrong, or None."""
    client = app.test_client() if visitor == "anonymous" else sign_in(app, world["users"][visitor])
    if visitor == "disabled":
        user = world["users"]["disabled"]
        user.active = False  # disabled after signing in: the session must stop working
        db.session.commit()

    response = client.open(path, method=method)
    status = response.status_code
    where = f"{visitor} {method} {path} -> {status}"

    if visitor in ("anonymous", "disabled"):
        if status != 302 or not response.location.startswith("/login?next="):
            return f"{where}: expected a redirect to /login?next="
        return None
    if status >= 500:
        return f"{where}: server error"
    if refused(app, endpoint, visitor):
        if status != 403:
            return f"{where}: expected 403 for a {visitor}"
        if "text/html" in response.content_type and 'class="ed-nav"' not in response.get_data(
            as_text=True
        ):
            return f"{where}: the 403 page is not an editor page with a way back"
        return None
    if status == 403:
        return f"{where}: refused a role that is allowed"
    if method == "GET" and not (
        status == 200 or (status in (301, 302, 303) and not response.location.startswith("/login"))
    ):
        return f"{where}: expected the page"
    return None


@pytest.mark.parametrize(("endpoint", "rule", "method"), ROUTES)
def test_route_access(app, world, endpoint, rule, method):
    """Anonymous and disabled: to /login; contributor and editor: 403 exactly where the
    capability table says; admin: never 403.

    Visitors run in this order on one database, so a POST an editor may make (a delete)
    happens before the admin's; the admin's answer then only has to be no 403 and no 5xx.
    """
    path = build_path(app, endpoint, world["ids"])
    problems = [
        problem
        for visitor in VISITORS
        if (problem := check_visit(app, world, endpoint, path, method, visitor))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("endpoint", sorted({e for e, _r, _m in ROUTES}))
def test_every_editor_view_declares_its_capability(app, endpoint):
    """Authorisation lives in a decorator on each view, not only in hidden buttons."""
    capability = capability_of(app, endpoint)
    assert isinstance(capability, Capability), f"{endpoint} has no @requires(Capability.…)"
    if app.view_functions[endpoint].__module__ in ADMIN_ONLY_MODULES:
        assert [role for role in Role if role_can(role, capability)] == [Role.ADMIN]


def test_the_capability_table_says_what_issue_14_says():
    """Contributors write and submit; editors also publish, moderate and run the portal's
    content, categories and links; admins everything. A change here is a decision."""
    contributor = {
        Capability.DASHBOARD,
        Capability.PROFILE,
        Capability.WRITE_ARTICLES,
        Capability.UPLOAD_MEDIA,
    }
    editor = contributor | {
        Capability.PUBLISH_ARTICLES,
        Capability.MODERATE_COMMENTS,
        Capability.MANAGE_CATEGORIES,
        Capability.MANAGE_LINKS,
        Capability.MANAGE_PORTAL,
    }
    assert CAPABILITIES[Role.CONTRIBUTOR] == contributor
    assert CAPABILITIES[Role.EDITOR] == editor
    assert CAPABILITIES[Role.ADMIN] == set(Capability)
    assert set(CAPABILITIES) == set(Role)


def test_matrix_covers_site_management_routes():
    endpoints = {e for e, _r, _m in ROUTES}
    for expected in (
        "editor.dashboard",
        "editor.categories",
        "editor.category_new",
        "editor.category_edit",
        "editor.category_move",
        "editor.category_delete",
        "editor.links",
        "editor.link_new",
        "editor.link_edit",
        "editor.link_delete",
        "editor.settings",
        "editor.users",
        "editor.user_new",
        "editor.user_edit",
        "editor.user_disable",
        "editor.user_enable",
        "editor.user_reset_password",
        "editor.profile",
        "editor.profile_update",
        "editor.profile_password",
        "editor.audit_log",
    ):
        assert expected in endpoints


def test_large_ids_are_404_not_500(app, world):
    client = sign_in(app, world["users"]["admin"])
    for path in ("/editor/categories/9223372036854775807/edit", "/editor/users/99999/edit"):
        assert client.get(path).status_code == 404
    assert client.get("/editor/links/9223372036854775808/edit").status_code == 404


# ------------------------------------------------------------------ CSRF


def _token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _csrf_world():
    admin = User(email="csrf-admin@example.com", name="Admin", role=Role.ADMIN)
    other = User(email="csrf-other@example.com", name="Other", role=Role.EDITOR)
    for user in (admin, other):
        user.set_password(PASSWORD)
    category = Category(name="Chuyên mục", slug="chuyen-muc")
    link = WebLink(title="Liên kết", url="https://example.com")
    db.session.add_all([admin, other, category, link])
    db.session.commit()
    return admin, other, category, link


SETTINGS_FORM = {"site_name": "Trang", "articles_per_page": "10", "comments_close_after_days": "0"}

# (name, path template, form data, status with a valid token)
CSRF_CASES = [
    ("category new", "/editor/categories/new", {"name": "Mới"}, 303),
    ("category edit", "/editor/categories/{category}/edit", {"name": "Đổi"}, 303),
    ("category move", "/editor/categories/{category}/move", {"direction": "up"}, 303),
    ("category delete", "/editor/categories/{category}/delete", {}, 303),
    ("link new", "/editor/links/new", {"title": "L", "url": "https://a.example"}, 303),
    ("link edit", "/editor/links/{link}/edit", {"title": "L", "url": "https://b.example"}, 303),
    ("link delete", "/editor/links/{link}/delete", {}, 303),
    ("settings", "/editor/settings", SETTINGS_FORM, 303),
    (
        "user new",
        "/editor/users/new",
        {"email": "n@example.com", "name": "N", "role": "editor"},
        200,
    ),
    ("user edit", "/editor/users/{other}/edit", {"name": "O", "role": "editor"}, 303),
    ("user disable", "/editor/users/{other}/disable", {}, 303),
    ("user enable", "/editor/users/{other}/enable", {}, 303),
    ("user reset password", "/editor/users/{other}/reset-password", {}, 200),
    ("profile name", "/editor/profile", {"name": "Tên"}, 303),
    (
        "profile password",
        "/editor/profile/password",
        {"current_password": PASSWORD, "new_password": "new password!", "confirm": "new password!"},
        303,
    ),
]


@pytest.mark.parametrize(
    ("name", "template", "data", "ok_status"), CSRF_CASES, ids=[c[0] for c in CSRF_CASES]
)
def test_csrf_required_on_site_management_posts(app_factory, name, template, data, ok_status):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        admin, other, category, link = _csrf_world()
        path = template.format(category=category.id, link=link.id, other=other.id)
        email = admin.email
        before = db.session.scalar(sa.select(sa.func.count(AuditLog.id)))
    client = app.test_client()
    token = _token(client, "/login")
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 303

    response = client.post(path, data=data)
    assert response.status_code == 400, name
    assert "Yêu cầu không hợp lệ" in response.get_data(as_text=True)
    with app.app_context():
        # Only the sign-in was recorded: the forged request changed nothing.
        assert db.session.scalar(sa.select(sa.func.count(AuditLog.id))) == before + 1

    token = _token(client, "/editor/profile")
    response = client.post(path, data={**data, "csrf_token": token})
    assert response.status_code == ok_status, (name, response.get_data(as_text=True)[:2000])
