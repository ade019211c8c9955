"""Pages in a tree: paths, the 404 rules, breadcrumbs, children, the English switch, the tree
rules (slugs among siblings, no cycles), revisions and restore, the editor's screens."""

import re

import pytest
import sqlalchemy as sa

from bantin import site_pages
from bantin.extensions import db
from bantin.models import AuditLog, Page, PageRevision, PageStatus


def make(title, parent=None, status=PageStatus.PUBLISHED, **kw) -> Page:
    page = site_pages.save(
        None,
        None,
        {
            "title": title,
            "parent_id": parent.id if parent else None,
            "status": status.value,
            "body": kw.pop("body", f"<p>Nội dung {title}.</p>"),
            **kw,
        },
    )
    db.session.commit()
    return page


@pytest.fixture
def tree(app):
    about = make("Giới thiệu", title_en="About", body_en="<p>About us.</p>")
    org = make("Cơ cấu tổ chức", about, position=2, needs_english=True)
    duties = make(
        "Chức năng nhiệm vụ", about, position=1, title_en="Duties", body_en="<p>Duties.</p>"
    )
    hidden = make("Dự thảo", about, status=PageStatus.DRAFT)
    deep = make("Văn phòng", org)
    return {"about": about, "org": org, "duties": duties, "hidden": hidden, "deep": deep}


def text(response) -> str:
    return response.get_data(as_text=True)


# ---------------------------------------------------------------- paths and 404


def test_path_is_the_chain_of_slugs(client, tree):
    assert site_pages.path_of(tree["deep"]) == "gioi-thieu/co-cau-to-chuc/van-phong"
    response = client.get("/page/gioi-thieu/co-cau-to-chuc")
    assert response.status_code == 200
    assert '<h1 id="page-title">Cơ cấu tổ chức</h1>' in text(response)
    assert client.get("/page/gioi-thieu/co-cau-to-chuc/van-phong").status_code == 200
    assert client.get("/page/gioi-thieu/").status_code in (200, 308)


@pytest.mark.parametrize(
    "path",
    [
        "khong-co",
        "co-cau-to-chuc",  # a child is not reachable without its parent
        "gioi-thieu/khong-co",
        "gioi-thieu/du-thao",  # a draft
        "gioi-thieu/co-cau-to-chuc/van-phong/khac",
        "gioi-thieu/" + "a" * 300,
        "/".join(["a"] * 40),
        "gioi-thieu/%00",
    ],
)
def test_unknown_or_unpublished_pages_are_404(client, tree, path):
    assert client.get(f"/page/{path}").status_code in (400, 404)


def test_unpublished_or_trashed_ancestor_hides_the_children(client, tree):
    site_pages.save(tree["org"], None, {"status": PageStatus.DRAFT.value})
    db.session.commit()
    assert client.get("/page/gioi-thieu/co-cau-to-chuc/van-phong").status_code == 404
    site_pages.save(tree["org"], None, {"status": PageStatus.PUBLISHED.value})
    site_pages.move_to_trash(tree["about"], None)
    db.session.commit()
    assert client.get("/page/gioi-thieu/co-cau-to-chuc").status_code == 404
    assert client.get("/page/gioi-thieu").status_code == 404


def test_breadcrumbs_and_children(client, tree):
    html = text(client.get("/page/gioi-thieu/co-cau-to-chuc"))
    nav = re.search(r'<nav class="breadcrumb" aria-label="[^"]+">(.*?)</nav>', html, re.S).group(1)
    assert "<ol" in nav
    items = re.findall(r"<li>(.*?)</li>", nav, re.S)
    assert 'href="/"' in items[0] and "Trang chủ" in items[0]
    assert 'href="/page/gioi-thieu"' in items[1]
    assert '<span aria-current="page">Cơ cấu tổ chức</span>' in items[2]
    assert "Văn phòng" in html and 'href="/page/gioi-thieu/co-cau-to-chuc/van-phong"' in html

    about = text(client.get("/page/gioi-thieu"))
    children = re.search(r'class="page-children".*?</section>', about, re.S).group(0)
    # Ordered by position; the draft is not listed.
    assert children.index("Chức năng nhiệm vụ") < children.index("Cơ cấu tổ chức")
    assert "Dự thảo" not in children


def test_print_link(client, tree):
    html = text(client.get("/page/gioi-thieu?print=1"))
    assert "data-print" in html and 'class="print-hint' in html


# ---------------------------------------------------------------- English


def test_english_interface_shows_the_english_version(client, tree):
    client.set_cookie("lang", "en")
    html = text(client.get("/page/gioi-thieu"))
    assert '<h1 id="page-title">About</h1>' in html and "About us." in html
    assert "Nội dung Giới thiệu" not in html
    assert 'class="no-english"' not in html
    # The child without English is listed in Vietnamese, marked as such.
    assert 'lang="vi">Cơ cấu tổ chức' in html


def test_english_interface_without_english_version_says_so(client, tree):
    client.set_cookie("lang", "en")
    html = text(client.get("/page/gioi-thieu/co-cau-to-chuc"))
    assert "Nội dung Cơ cấu tổ chức" in html
    assert re.search(r'<article class="site-page"[^>]*lang="vi"', html)
    assert 'class="no-english" lang="en"' in html
    # The breadcrumb uses the parent's English title.
    assert ">About</a>" in html


def test_vietnamese_interface_ignores_the_english(client, tree):
    html = text(client.get("/page/gioi-thieu"))
    assert "Nội dung Giới thiệu" in html and "About us." not in html


# ---------------------------------------------------------------- tree rules


def test_slug_unique_among_siblings_only(app, tree):
    with pytest.raises(site_pages.InvalidChange) as info:
        make("Cơ cấu tổ chức", tree["about"])
    assert info.value.field == "slug"
    db.session.rollback()
    # The same slug under another parent (or at the top) is fine.
    other = make("Cơ cấu tổ chức")
    assert other.slug == "co-cau-to-chuc" and other.parent_id is None


def test_a_page_cannot_go_under_itself_or_a_descendant(app, tree):
    for parent in (tree["about"], tree["org"], tree["deep"]):
        with pytest.raises(site_pages.InvalidChange) as info:
            site_pages.save(tree["about"], None, {"parent_id": parent.id})
        assert info.value.field == "parent_id"
        db.session.rollback()
    assert site_pages.would_cycle(tree["org"].id, tree["deep"].id)
    assert not site_pages.would_cycle(tree["deep"].id, tree["org"].id)
    # Moving a leaf elsewhere is allowed.
    site_pages.save(tree["deep"], None, {"parent_id": tree["duties"].id})
    db.session.commit()
    assert site_pages.path_of(tree["deep"]) == "gioi-thieu/chuc-nang-nhiem-vu/van-phong"


def test_parent_choices_leave_out_the_page_and_its_subtree(app, tree):
    ids = {row.page.id for row in site_pages.parent_choices(tree["org"])}
    assert tree["org"].id not in ids and tree["deep"].id not in ids
    assert tree["about"].id in ids and tree["duties"].id in ids


def test_bodies_are_sanitised_like_articles(app):
    page = make(
        "Liên hệ",
        body='<p onclick="x()">Gọi <script>alert(1)</script><b>ngay</b></p>',
        body_en="<p style='color:red'>Call <strong>now</strong></p>",
    )
    assert "script" not in page.body and "onclick" not in page.body
    assert page.body == "<p>Gọi <strong>ngay</strong></p>"
    assert page.body_en == "<p>Call <strong>now</strong></p>"


# ---------------------------------------------------------------- revisions


def test_every_save_is_a_revision_and_restore_brings_both_languages_back(app, tree):
    page = tree["duties"]
    first = db.session.scalar(
        sa.select(PageRevision).where(PageRevision.page_id == page.id, PageRevision.number == 1)
    )
    site_pages.save(page, None, {"title": "Nhiệm vụ mới", "body_en": "<p>New.</p>"})
    db.session.commit()
    assert page.title == "Nhiệm vụ mới"
    site_pages.restore_revision(page, first, None)
    db.session.commit()
    assert page.title == "Chức năng nhiệm vụ" and page.body_en == "<p>Duties.</p>"
    numbers = [r.number for r in site_pages.revisions(page)]
    assert numbers == [3, 2, 1]
    actions = db.session.scalars(
        sa.select(AuditLog.action).where(
            AuditLog.target_type == "page", AuditLog.target_id == page.id
        )
    ).all()
    assert actions == ["page.create", "page.publish", "page.edit", "page.revision_restore"]


def test_optimistic_version_check(app, tree):
    page = tree["duties"]
    version = page.version
    site_pages.save(page, None, {"title": "Một"}, expected_version=version)
    db.session.commit()
    with pytest.raises(site_pages.EditConflict):
        site_pages.save(page, None, {"title": "Hai"}, expected_version=version)
    db.session.rollback()
    assert db.session.get(Page, page.id).title == "Một"


# ---------------------------------------------------------------- the editor


@pytest.fixture
def editor(factory, login):
    user = factory.user("editor")
    login(user)
    return user


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_editor_list_marks_pages_lacking_english(client, tree, editor):
    html = text(client.get("/editor/pages"))
    assert "Cơ cấu tổ chức" in html and "Thiếu bản tiếng Anh" in html
    only = text(client.get("/editor/pages?show=missing_english"))
    rows = re.findall(r'<tr id="page-(\d+)"', only)
    assert rows == [str(tree["org"].id)]
    # An unknown filter is ignored.
    assert client.get("/editor/pages?show=<x>").status_code == 200


def test_editor_requires_sign_in(client, tree):
    assert client.get("/editor/pages").status_code in (302, 401)
    assert client.get(f"/editor/pages/{tree['about'].id}/edit").status_code in (302, 401)


def test_create_and_edit_a_page_through_the_form(client, tree, editor):
    html = text(client.get("/editor/pages/new"))
    token = csrf(html)
    response = client.post(
        "/editor/pages/new",
        data={
            "csrf_token": token,
            "title": "Lãnh đạo",
            "parent_id": str(tree["about"].id),
            "position": "3",
            "status": "published",
            "body": "<p>Chủ tịch, các Phó Chủ tịch.</p>",
            "slug": "",
        },
    )
    assert response.status_code == 303, text(response)[:2000]
    page = db.session.scalar(sa.select(Page).where(Page.title == "Lãnh đạo"))
    assert site_pages.path_of(page) == "gioi-thieu/lanh-dao"
    assert client.get("/page/gioi-thieu/lanh-dao").status_code == 200

    # The English tab saves only the English title and body.
    edit = text(client.get(f"/editor/pages/{page.id}/edit?lang=en"))
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', edit).group(1)
    response = client.post(
        f"/editor/pages/{page.id}/edit?lang=en",
        data={
            "csrf_token": csrf(edit),
            "title": "Leaders",
            "body": "<p>The chair.</p>",
            "version": version,
        },
    )
    assert response.status_code == 303
    db.session.refresh(page)
    assert (page.title, page.title_en, page.body_en) == ("Lãnh đạo", "Leaders", "<p>The chair.</p>")


def test_form_keeps_typed_values_and_explains_a_taken_slug(client, tree, editor):
    edit = text(client.get(f"/editor/pages/{tree['duties'].id}/edit"))
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', edit).group(1)
    response = client.post(
        f"/editor/pages/{tree['duties'].id}/edit",
        data={
            "csrf_token": csrf(edit),
            "title": "Tiêu đề tôi vừa gõ",
            "slug": "co-cau-to-chuc",
            "parent_id": str(tree["about"].id),
            "status": "published",
            "body": "<p>Đoạn tôi vừa gõ.</p>",
            "version": version,
        },
    )
    assert response.status_code == 400
    html = text(response)
    assert "Tiêu đề tôi vừa gõ" in html and "Đoạn tôi vừa gõ." in html
    assert "đã có một trang con với đường dẫn này" in html
    assert db.session.get(Page, tree["duties"].id).title == "Chức năng nhiệm vụ"


def test_form_refuses_a_cycle(client, tree, editor):
    edit = text(client.get(f"/editor/pages/{tree['about'].id}/edit"))
    # The page's own subtree is not offered...
    options = re.search(r'<select[^>]*id="parent_id".*?</select>', edit, re.S).group(0)
    assert f'value="{tree["org"].id}"' not in options
    # ...and posting it anyway is refused by the field.
    version = re.search(r'id="version" name="version" type="hidden" value="(\d+)"', edit).group(1)
    response = client.post(
        f"/editor/pages/{tree['about'].id}/edit",
        data={
            "csrf_token": csrf(edit),
            "title": "Giới thiệu",
            "parent_id": str(tree["deep"].id),
            "status": "published",
            "body": "<p>x</p>",
            "version": version,
        },
    )
    assert response.status_code == 400
    assert "trang cha trong danh sách" in text(response)


def test_stale_version_is_a_conflict(client, tree, editor):
    page = tree["duties"]
    edit = text(client.get(f"/editor/pages/{page.id}/edit"))
    site_pages.save(page, None, {"title": "Người khác sửa"})
    db.session.commit()
    response = client.post(
        f"/editor/pages/{page.id}/edit",
        data={
            "csrf_token": csrf(edit),
            "title": "Bản của tôi",
            "status": "published",
            "parent_id": str(tree["about"].id),
            "body": "<p>x</p>",
            "version": "1",
        },
    )
    assert response.status_code == 409
    assert "Bản của tôi" in text(response)
    assert db.session.get(Page, page.id).title == "Người khác sửa"


@pytest.mark.parametrize(
    "path",
    [
        "/editor/pages/new",
        "/editor/pages/{id}/edit",
        "/editor/pages/{id}/edit?lang=en",
        "/editor/pages/{id}/delete",
        "/editor/pages/{id}/restore",
        "/editor/pages/{id}/revisions/{rev}/restore",
        "/editor/menu",
    ],
)
def test_every_post_needs_the_csrf_token(app_factory, path):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        from tests.conftest import PASSWORD, Factory

        admin = Factory().user("admin")
        page = make("Giới thiệu")
        rev = site_pages.revisions(page)[0].id
        email, page_id = admin.email, page.id
    client = app.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf(login_page)}
    )
    assert response.status_code == 303
    data = {"title": "Khác", "status": "draft", "body": "<p>x</p>", "menu": "[]"}
    response = client.post(path.format(id=page_id, rev=rev), data=data)
    assert response.status_code == 400
    with app.app_context():
        page = db.session.get(Page, page_id)
        assert (page.title, page.status, page.version) == ("Giới thiệu", PageStatus.PUBLISHED, 1)


def test_trash_restore_preview_and_revisions_screens(client, tree, editor):
    page = tree["duties"]
    edit = text(client.get(f"/editor/pages/{page.id}/edit"))
    token = csrf(edit)
    assert (
        client.post(f"/editor/pages/{page.id}/delete", data={"csrf_token": token}).status_code
        == 303
    )
    assert client.get("/page/gioi-thieu/chuc-nang-nhiem-vu").status_code == 404
    assert "Chức năng nhiệm vụ" in text(client.get(f"/editor/pages/{page.id}/preview"))
    assert (
        client.post(f"/editor/pages/{page.id}/restore", data={"csrf_token": token}).status_code
        == 303
    )
    db.session.expire_all()
    assert db.session.get(Page, page.id).status == PageStatus.DRAFT

    listing = text(client.get(f"/editor/pages/{page.id}/revisions"))
    first = re.findall(rf"/editor/pages/{page.id}/revisions/(\d+)", listing)[-1]
    assert client.get(f"/editor/pages/{page.id}/revisions/{first}").status_code == 200
    assert client.get(f"/editor/pages/{page.id}/revisions/999999").status_code == 404
    response = client.post(
        f"/editor/pages/{page.id}/revisions/{first}/restore", data={"csrf_token": token}
    )
    assert response.status_code == 303
    assert client.get("/editor/pages/99999999999/edit").status_code == 404


def test_seed_demo_pages(app):
    made = site_pages.seed_demo()
    db.session.commit()
    again = site_pages.seed_demo()
    db.session.commit()
    assert {p.id for p in made.values()} == {p.id for p in again.values()}
    org = made["co-cau-to-chuc"]
    assert site_pages.path_of(org) == "gioi-thieu/co-cau-to-chuc" and org.has_english
    assert all(p.has_english for p in made.values() if p.needs_english)


@pytest.mark.parametrize("position", ["abc", "1.5", "99999999999", "-"])
def test_bad_position_gets_a_vietnamese_message(client, tree, editor, position):
    page = tree["duties"]
    edit = text(client.get(f"/editor/pages/{page.id}/edit"))
    response = client.post(
        f"/editor/pages/{page.id}/edit",
        data={
            "csrf_token": csrf(edit),
            "title": "Tiêu đề đã gõ",
            "position": position,
            "status": "draft",
            "parent_id": str(tree["about"].id),
            "version": str(page.version),
        },
    )
    assert response.status_code == 400
    html = text(response)
    assert "Thứ tự là một số nguyên" in html and "Not a valid" not in html
    assert "Tiêu đề đã gõ" in html


def test_reader_rows_are_the_pages_readers_can_open(app, tree):
    paths = [row.path for row in site_pages.reader_rows()]
    assert paths == [
        "gioi-thieu",
        "gioi-thieu/chuc-nang-nhiem-vu",
        "gioi-thieu/co-cau-to-chuc",
        "gioi-thieu/co-cau-to-chuc/van-phong",
    ]
    site_pages.save(tree["org"], None, {"status": PageStatus.DRAFT.value})
    db.session.commit()
    assert [row.path for row in site_pages.reader_rows()] == [
        "gioi-thieu",
        "gioi-thieu/chuc-nang-nhiem-vu",
    ]
