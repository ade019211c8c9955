"""The header menu: the builder's checks (two levels, targets that exist, http/https only),
the order it stores, what readers see (the fallback to categories, English labels,
aria-current, hidden targets left out) and the demo menu."""

import json
import re

import pytest
import sqlalchemy as sa
from flask import current_app

from bantin import cache, menu, site_pages
from bantin.extensions import db
from bantin.models import AuditLog, Category, MenuItem, MenuTarget, PageStatus


@pytest.fixture
def world(app, factory):
    news = factory.category("Tin tức - Sự kiện")
    notices = factory.category("Thông báo")
    about = site_pages.save(
        None, None, {"title": "Giới thiệu", "status": "published", "body": "<p>x</p>"}
    )
    org = site_pages.save(
        None,
        None,
        {"title": "Cơ cấu tổ chức", "parent_id": about.id, "status": "published", "body": ""},
    )
    draft = site_pages.save(None, None, {"title": "Bản nháp", "status": "draft", "body": ""})
    db.session.commit()
    return {"news": news, "notices": notices, "about": about, "org": org, "draft": draft}


@pytest.fixture
def admin(factory, login):
    user = factory.user("admin")
    login(user)
    return user


def html(response) -> str:
    return response.get_data(as_text=True)


def nav(page: str) -> str:
    return re.search(r'<nav class="main-nav".*?</nav>', page, re.S).group(0)


def parse(raw: str) -> menu.Parsed:
    # The messages are translated for the request's language.
    with current_app.test_request_context("/"):
        return menu.parse(raw)


def store(items: list[dict]) -> None:
    parsed = parse(json.dumps(items))
    assert parsed.ok, [e.errors for e in parsed.items] + parsed.errors
    menu.replace(parsed, None)
    db.session.commit()


def sample(w) -> list[dict]:
    return [
        {"label": "Trang chủ", "label_en": "Home", "target": "home"},
        {
            "label": "Giới thiệu",
            "label_en": "About",
            "target": "none",
            "children": [
                {"label": "Tổng quan", "target": "page", "page_id": w["about"].id},
                {
                    "label": "Cơ cấu tổ chức",
                    "label_en": "Organisation",
                    "target": "page",
                    "page_id": w["org"].id,
                },
            ],
        },
        {"label": "Tin tức", "target": "category", "category_id": w["news"].id},
        {"label": "Văn bản", "target": "documents"},
        {"label": "Cổng huyện", "target": "url", "url": "https://huyen.example.org/"},
    ]


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"label": "", "target": "home"}, "Hãy nhập tên mục"),
        ({"label": "x" * 121, "target": "home"}, "tối đa 120"),
        ({"label": "A", "target": "nowhere"}, "dẫn tới đâu"),
        ({"label": "A", "target": "category", "category_id": 999}, "chuyên mục"),
        ({"label": "A", "target": "category"}, "chuyên mục"),
        ({"label": "A", "target": "page", "page_id": 999}, "một trang"),
        ({"label": "A", "target": "url", "url": "javascript:alert(1)"}, "http://"),
        ({"label": "A", "target": "url", "url": "ftp://example.org"}, "http://"),
        ({"label": "A", "target": "url", "url": "//evil.example"}, "http://"),
        ({"label": "A", "target": "url", "url": "https://"}, "http://"),
        ({"label": "A", "target": "url", "url": "https://a b.example"}, "http://"),
        ({"label": "A", "target": "none"}, "ít nhất một mục con"),
        ({"label": "A\x00", "target": "home"}, "không hợp lệ"),
        ("not an object", "không đọc được"),
    ],
)
def test_bad_items_are_refused_with_a_message(world, item, message):
    parsed = parse(json.dumps([item]))
    assert not parsed.ok
    assert message.lower() in " ".join(parsed.items[0].errors).lower()


def test_trashed_page_is_not_a_target(world):
    site_pages.move_to_trash(world["draft"], None)
    db.session.commit()
    parsed = parse(json.dumps([{"label": "A", "target": "page", "page_id": world["draft"].id}]))
    assert not parsed.ok


def test_three_levels_are_refused(world):
    grandchild = {"label": "C", "target": "home"}
    parsed = parse(
        json.dumps(
            [
                {
                    "label": "A",
                    "target": "none",
                    "children": [{"label": "B", "target": "home", "children": [grandchild]}],
                }
            ]
        )
    )
    assert not parsed.ok
    assert "hai cấp" in " ".join(parsed.items[0].children[0].errors)


@pytest.mark.parametrize("raw", ["", "{", "{}", "null", "3", "[" * 5000, "x" * 300_000])
def test_unreadable_posts_are_refused(world, raw):
    parsed = parse(raw)
    assert not parsed.ok and parsed.errors


def test_too_many_items(world):
    parsed = parse(json.dumps([{"label": str(i), "target": "home"} for i in range(70)]))
    assert not parsed.ok and "tối đa" in parsed.errors[0]


def test_good_menu_is_stored_in_order_with_an_audit_row(world):
    store(sample(world))
    rows = db.session.scalars(sa.select(MenuItem).order_by(MenuItem.id)).all()
    tops = sorted((r for r in rows if r.parent_id is None), key=lambda r: r.position)
    assert [r.label for r in tops] == [
        "Trang chủ",
        "Giới thiệu",
        "Tin tức",
        "Văn bản",
        "Cổng huyện",
    ]
    kids = sorted((r for r in rows if r.parent_id == tops[1].id), key=lambda r: r.position)
    assert [(r.label, r.target) for r in kids] == [
        ("Tổng quan", MenuTarget.PAGE),
        ("Cơ cấu tổ chức", MenuTarget.PAGE),
    ]
    assert (
        db.session.scalar(sa.select(sa.func.count()).where(AuditLog.action == "menu.update")) == 1
    )
    # Storing again replaces the whole menu (a new order), nothing is left behind.
    items = sample(world)
    items.reverse()
    store(items)
    assert [e.label for e in menu.stored()] == [
        "Cổng huyện",
        "Văn bản",
        "Tin tức",
        "Giới thiệu",
        "Trang chủ",
    ]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MenuItem)) == 7


# ---------------------------------------------------------------- readers


def test_without_a_menu_the_header_lists_the_categories(client, world):
    header = nav(html(client.get("/")))
    assert "Tin tức - Sự kiện" in header and "Thông báo" in header
    assert 'href="/category/thong-bao"' in header
    assert "has-sub" not in header


def test_header_shows_the_menu_in_order_with_its_children(client, world):
    store(sample(world))
    header = nav(html(client.get("/")))
    labels = re.findall(r"<(?:a|button)[^>]*>([^<]+)", header)
    labels = [label.strip() for label in labels if label.strip()]
    assert labels == [
        "Trang chủ",
        "Giới thiệu",
        "Tổng quan",
        "Cơ cấu tổ chức",
        "Tin tức",
        "Văn bản",
        "Cổng huyện",
    ]
    assert 'href="/page/gioi-thieu/co-cau-to-chuc"' in header
    assert 'href="/documents"' in header and 'href="https://huyen.example.org/"' in header
    assert 'aria-expanded="false"' in header and "Thông báo" not in header
    assert 'href="/" aria-current="page"' in header


def test_aria_current_on_the_current_item(client, world):
    store(sample(world))
    header = nav(html(client.get("/page/gioi-thieu/co-cau-to-chuc")))
    assert 'href="/page/gioi-thieu/co-cau-to-chuc" aria-current="page"' in header
    assert header.count('aria-current="page"') == 1
    category = nav(html(client.get("/category/tin-tuc-su-kien")))
    assert 'href="/category/tin-tuc-su-kien" aria-current="page"' in category


def test_english_labels_when_the_interface_is_english(client, world):
    store(sample(world))
    client.set_cookie("lang", "en")
    header = nav(html(client.get("/")))
    assert ">Home</a>" in header and ">Organisation</a>" in header
    # No English label: the Vietnamese one.
    assert ">Tổng quan</a>" in header and ">Tin tức</a>" in header


def test_hidden_targets_are_left_out(client, world):
    items = sample(world)
    items.append({"label": "Nháp", "target": "page", "page_id": world["draft"].id})
    store(items)
    site_pages.save(world["about"], None, {"status": PageStatus.DRAFT.value})
    db.session.commit()
    header = nav(html(client.get("/")))
    # The draft page, and the pages under an unpublished one, are not offered to readers.
    assert "Nháp" not in header and "Tổng quan" not in header and "Cơ cấu" not in header
    # Their heading has no child left, so it goes too.
    assert "Giới thiệu" not in header
    # Deleted as the editor deletes a category (a statement; the menu item goes with it).
    db.session.execute(sa.delete(Category).where(Category.id == world["news"].id))
    cache.bump()
    db.session.commit()
    assert ">Tin tức</a>" not in nav(html(client.get("/")))


# ---------------------------------------------------------------- the builder


def test_builder_is_for_admins_only(client, factory, login, world):
    editor = factory.user("editor")
    login(editor)
    assert client.get("/editor/menu").status_code == 403
    assert client.post("/editor/menu", data={"menu": "[]"}).status_code == 403


def test_builder_saves_and_shows_the_menu(client, admin, world):
    page = html(client.get("/editor/menu"))
    assert 'id="menu-tree"' in page and "Sortable.min.js" in page
    response = client.post("/editor/menu", data={"menu": json.dumps(sample(world))})
    assert response.status_code == 303
    page = html(client.get("/editor/menu"))
    assert page.index('value="Trang chủ"') < page.index('value="Giới thiệu"')
    assert page.index('value="Tổng quan"') < page.index('value="Cơ cấu tổ chức"')


def test_refused_menu_comes_back_as_arranged(client, admin, world):
    items = sample(world)
    items[4]["url"] = "javascript:alert(1)"
    items.insert(0, {"label": "Mục mới", "target": "schedule"})
    response = client.post("/editor/menu", data={"menu": json.dumps(items)})
    assert response.status_code == 400
    page = html(response)
    assert "Menu chưa được lưu" in page
    order = [page.index(f'value="{label}"') for label in ("Mục mới", "Trang chủ", "Cổng huyện")]
    assert order == sorted(order)
    assert 'value="javascript:alert(1)"' in page and 'aria-invalid="true"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(MenuItem)) == 0


def test_builder_unreadable_post_is_400(client, admin, world):
    assert client.post("/editor/menu", data={"menu": "{oops"}).status_code == 400
    assert client.post("/editor/menu", data={}).status_code == 400


def test_seed_demo_menu(app, factory):
    for name in ("Tin tức - Sự kiện", "Kinh tế - Nông nghiệp", "Thông báo"):
        factory.category(name)
    site_pages.seed_demo()
    menu.seed_demo()
    db.session.commit()
    entries = menu.stored()
    assert [e.label for e in entries] == [
        "Trang chủ",
        "Giới thiệu",
        "Tin tức",
        "Văn bản",
        "Lịch công tác",
        "Liên hệ",
    ]
    assert [c.label for c in entries[1].children][:2] == ["Tổng quan", "Chức năng nhiệm vụ"]
    assert len(entries[2].children) == 3
    menu.seed_demo()  # a site with a menu keeps it
    db.session.commit()
    assert len(menu.stored()) == 6


def test_demo_office_pages_and_menu_on_top_of_the_demo_content(app, client):
    from bantin import demo

    demo.seed()
    db.session.commit()
    site_pages.seed_demo()
    menu.seed_demo()
    db.session.commit()
    header = nav(html(client.get("/")))
    assert ">Chức năng nhiệm vụ</a>" in header and ">Tin tức - Sự kiện</a>" in header
    assert 'href="/schedule"' in header and 'href="/contacts"' in header
    client.set_cookie("lang", "en")
    page = html(client.get("/page/gioi-thieu/co-cau-to-chuc"))
    assert ">Organisation</h1>" in page and "no-english" not in page
    assert ">Functions and duties</a>" in nav(page)
