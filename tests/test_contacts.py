"""Organisation and contacts: the reader's page (order, English, links, the office's own
details), the editor (validation, reordering, audit, authz, CSRF) and the home page's
JSON-LD."""

import json
import re

import pytest
import sqlalchemy as sa

from bantin import contacts
from bantin.extensions import db
from bantin.models import AuditLog, Contact, ContactUnit


def text(response) -> str:
    return response.get_data(as_text=True)


def actions(prefix: str = "contact") -> list[str]:
    return list(
        db.session.scalars(
            sa.select(AuditLog.action)
            .where(AuditLog.action.startswith(prefix))
            .order_by(AuditLog.id)
        )
    )


@pytest.fixture
def editor(factory):
    return factory.user("editor", name="Biên tập Danh bạ")


@pytest.fixture
def as_editor(client, editor, login):
    login(editor)
    return client


def unit(name: str, **kw) -> ContactUnit:
    made = contacts.save_unit(None, None, {"name": name, **kw})
    db.session.commit()
    return made


def person(unit_: ContactUnit, name: str, **kw) -> Contact:
    made = contacts.save_contact(None, None, {"unit_id": unit_.id, "name": name, **kw})
    db.session.commit()
    return made


def order_on_page(page: str, names: list[str]) -> list[str]:
    return sorted(names, key=page.index)


# ------------------------------------------------------------------ the reader's page


def test_contacts_page_lists_units_and_people_in_order(client, factory):
    factory.settings(
        owner="UBND xã Hòa Phong",
        address="Thôn Phú Lộc, xã Hòa Phong",
        phone="0235 3 000 000",
        fax="0235 3 000 009",
        hotline="1900 0000",
        email="vanphong@hoaphong.example.org",
    )
    leaders = unit("Thường trực UBND xã", phone="0235 3 000 001", email="ubnd@x.example.org")
    office = unit("Văn phòng", address="Tầng 1")
    person(
        leaders,
        "Nguyễn Văn Khải",
        title="Chủ tịch",
        phone="0235 3 000 011",
        email="k@x.example.org",
    )
    person(leaders, "Đỗ Thị Mai", title="Phó Chủ tịch", phone="+84 905 000 012; 0235 3 000 012")
    person(office, "Trần Thị Thu Hà", title="Chánh Văn phòng")
    page = text(client.get("/contacts"))
    assert order_on_page(page, ["Văn phòng</h2>", "Thường trực UBND xã</h2>"]) == [
        "Thường trực UBND xã</h2>",
        "Văn phòng</h2>",
    ]
    assert order_on_page(page, ["Đỗ Thị Mai", "Nguyễn Văn Khải"]) == [
        "Nguyễn Văn Khải",
        "Đỗ Thị Mai",
    ]
    assert '<a href="tel:02353000011">0235 3 000 011</a>' in page
    assert '<a href="tel:+84905000012">+84 905 000 012</a>, <a href="tel:02353000012">' in page
    assert '<a href="mailto:k@x.example.org">k@<wbr>x.example.org</a>' in page
    # The office's own details come first, from the settings.
    top = page.split('class="contact-unit"')[0]
    for expected in (
        "UBND xã Hòa Phong",
        "Thôn Phú Lộc, xã Hòa Phong",
        '<a href="tel:02353000000">0235 3 000 000</a>',
        "<dt>Fax</dt><dd>0235 3 000 009</dd>",
        '<a href="tel:19000000">1900 0000</a>',
        '<a href="mailto:vanphong@hoaphong.example.org">',
    ):
        assert expected in top


def test_photos_show_when_present(client):
    leaders = unit("Thường trực")
    person(leaders, "Có Ảnh", photo_url="/uploads/2026/12/abc-320.jpg")
    person(leaders, "Không Ảnh")
    page = text(client.get("/contacts"))
    assert page.count('class="person-photo"') == 1
    assert 'src="/uploads/2026/12/abc-320.jpg" alt=""' in page


def test_english_names_and_positions_when_the_interface_is_english(client, factory):
    factory.settings(owner="UBND xã Hòa Phong", owner_en="Hoa Phong Commune People's Committee")
    leaders = unit("Thường trực UBND xã", name_en="Standing Committee")
    plain = unit("Trạm Y tế xã")  # no English name: the Vietnamese one stays
    person(leaders, "Nguyễn Văn Khải", title="Chủ tịch", title_en="Chairman")
    person(plain, "Lương Thị Kim Oanh", title="Trưởng Trạm")
    vi = text(client.get("/contacts"))
    assert "Thường trực UBND xã" in vi and "Standing Committee" not in vi
    assert "Chairman" not in vi
    client.get("/lang/en")
    en = text(client.get("/contacts"))
    assert "Standing Committee</h2>" in en and "Thường trực UBND xã" not in en
    assert ">Chairman</p>" in en and ">Chủ tịch</p>" not in en
    assert "Trạm Y tế xã</h2>" in en and ">Trưởng Trạm</p>" in en
    assert "Hoa Phong Commune People&#39;s Committee" in en
    assert "Nguyễn Văn Khải" in en  # names are names


def test_contacts_page_with_nothing_yet(client):
    response = client.get("/contacts")
    assert response.status_code == 200
    assert "Chưa có thông tin các đơn vị." in text(response)


def test_reader_page_escapes_everything(client):
    bad = unit('<img src=x onerror="alert(1)">')
    person(bad, "<script>alert(2)</script>", title="A & B")
    page = text(client.get("/contacts"))
    assert "<img src=x" not in page and "<script>alert(2)" not in page
    assert "A &amp; B" in page


def test_a_change_shows_at_once(client):
    leaders = unit("Thường trực")
    assert "Người Mới" not in text(client.get("/contacts"))
    person(leaders, "Người Mới")
    assert "Người Mới" in text(client.get("/contacts"))


# ------------------------------------------------------------------ the editor


def test_editor_creates_units_and_people(as_editor):
    response = as_editor.post(
        "/editor/contacts/units/new",
        data={
            "name": "  Văn phòng   HĐND và UBND ",
            "name_en": "Office",
            "phone": "0235  3 000 000",
            "email": "VanPhong@HoaPhong.Example.org",
            "address": "Tầng 1",
        },
    )
    assert response.status_code == 303
    made = db.session.scalars(sa.select(ContactUnit)).one()
    assert (made.name, made.phone, made.email) == (
        "Văn phòng HĐND và UBND",
        "0235 3 000 000",
        "vanphong@hoaphong.example.org",
    )
    response = as_editor.post(
        f"/editor/contacts/units/{made.id}/people/new",
        data={
            "unit_id": str(made.id),
            "name": "Trần Thị Thu Hà",
            "title": "Chánh Văn phòng",
            "title_en": "Chief of Office",
            "phone": "0905 000 021",
            "email": "ha@x.example.org",
        },
    )
    assert response.status_code == 303
    who = db.session.scalars(sa.select(Contact)).one()
    assert response.location.endswith(f"/editor/contacts#person-{who.id}")
    page = text(as_editor.get("/editor/contacts"))
    assert "Trần Thị Thu Hà" in page and "Chief of Office" in page
    edit = text(as_editor.get(f"/editor/contacts/people/{who.id}/edit"))
    assert 'value="Trần Thị Thu Hà"' in edit and f'<option selected value="{made.id}">' in edit
    assert actions() == ["contact_unit.create", "contact.create"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Vui lòng điền"),
        ("email", "khong-phai-email", "Địa chỉ email không hợp lệ"),
        ("phone", "0235 3 ABC", "chỉ gồm chữ số"),
        ("phone", "12", "từ 3 đến 15 chữ số"),
        ("phone", "0235 3 000 000 000 000 000", "từ 3 đến 15 chữ số"),
        ("photo_url", "https://example.com/a.jpg", "/uploads/"),
        ("photo_url", "/uploads/2026/01/khong-co.jpg", "Không tìm thấy ảnh"),
        ("title", "x" * 201, "200"),
        ("unit_id", "999", "Hãy chọn một đơn vị"),
        ("unit_id", "abc", "Hãy chọn một đơn vị"),
    ],
)
def test_person_validation_keeps_what_was_typed(as_editor, field, value, message):
    made = unit("Văn phòng")
    data = {
        "unit_id": str(made.id),
        "name": "Nguyễn Văn A",
        "title": "Công chức",
        "phone": "0905 000 000",
        "email": "a@x.example.org",
        field: value,
    }
    response = as_editor.post(f"/editor/contacts/units/{made.id}/people/new", data=data)
    page = text(response)
    assert response.status_code == 400
    error = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', page)
    assert error and message in error.group(1), page[:2000]
    if field != "name":
        assert 'value="Nguyễn Văn A"' in page
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0


def test_unit_validation(as_editor):
    response = as_editor.post(
        "/editor/contacts/units/new", data={"name": "Văn phòng", "phone": "abc", "email": "@"}
    )
    page = text(response)
    assert response.status_code == 400
    assert 'id="phone-error"' in page and 'id="email-error"' in page
    assert 'value="Văn phòng"' in page and 'value="abc"' in page


def test_a_photo_from_the_uploads_is_accepted(app, as_editor):
    from pathlib import Path

    folder = Path(app.config["UPLOAD_FOLDER"]) / "2026" / "12"
    folder.mkdir(parents=True)
    (folder / "abcdef-320.jpg").write_bytes(b"\xff\xd8\xff")
    made = unit("Văn phòng")
    response = as_editor.post(
        f"/editor/contacts/units/{made.id}/people/new",
        data={
            "unit_id": str(made.id),
            "name": "Có Ảnh",
            "photo_url": "/uploads/2026/12/abcdef-320.jpg",
        },
    )
    assert response.status_code == 303
    assert (
        db.session.scalars(sa.select(Contact)).one().photo_url == "/uploads/2026/12/abcdef-320.jpg"
    )


def test_units_move_up_and_down(as_editor, client):
    a, _b, c = unit("Đơn vị A"), unit("Đơn vị B"), unit("Đơn vị C")
    assert (
        as_editor.post(f"/editor/contacts/units/{c.id}/move", data={"direction": "up"}).status_code
        == 303
    )
    as_editor.post(f"/editor/contacts/units/{a.id}/move", data={"direction": "down"})
    # First stays first, last stays last.
    as_editor.post(f"/editor/contacts/units/{c.id}/move", data={"direction": "up"})
    page = text(client.get("/contacts"))
    names = ["Đơn vị A</h2>", "Đơn vị B</h2>", "Đơn vị C</h2>"]
    assert order_on_page(page, names) == ["Đơn vị C</h2>", "Đơn vị A</h2>", "Đơn vị B</h2>"]
    assert (
        as_editor.post(
            f"/editor/contacts/units/{a.id}/move", data={"direction": "left"}
        ).status_code
        == 400
    )
    assert actions("contact_unit.move") == ["contact_unit.move"] * 2


def test_people_move_within_their_unit_and_between_units(as_editor, client):
    first, second = unit("Thường trực"), unit("Văn phòng")
    p1, p2, p3 = person(first, "Người Một"), person(first, "Người Hai"), person(first, "Người Ba")
    person(second, "Người Bốn")
    as_editor.post(f"/editor/contacts/people/{p3.id}/move", data={"direction": "up"})
    as_editor.post(f"/editor/contacts/people/{p3.id}/move", data={"direction": "up"})
    page = text(client.get("/contacts"))
    assert order_on_page(page, ["Người Một", "Người Hai", "Người Ba"]) == [
        "Người Ba",
        "Người Một",
        "Người Hai",
    ]
    # Moved to another unit: last there.
    as_editor.post(
        f"/editor/contacts/people/{p1.id}/edit",
        data={"unit_id": str(second.id), "name": "Người Một"},
    )
    page = text(client.get("/contacts"))
    second_part = page.split("Văn phòng</h2>")[1]
    assert order_on_page(second_part, ["Người Một", "Người Bốn"]) == ["Người Bốn", "Người Một"]
    assert "Người Hai" not in second_part
    assert p2.unit_id == first.id


def test_deleting_a_unit_takes_its_people(as_editor):
    gone, kept = unit("Đơn vị bỏ"), unit("Đơn vị giữ")
    person(gone, "Người đi")
    person(kept, "Người ở")
    assert as_editor.post(f"/editor/contacts/units/{gone.id}/delete").status_code == 303
    assert [p.name for p in db.session.scalars(sa.select(Contact))] == ["Người ở"]
    one = db.session.scalars(sa.select(Contact)).one()
    assert as_editor.post(f"/editor/contacts/people/{one.id}/delete").status_code == 303
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == 0
    assert actions() == [
        "contact_unit.create",
        "contact_unit.create",
        "contact.create",
        "contact.create",
        "contact_unit.delete",
        "contact.delete",
    ]


def test_contacts_editor_needs_a_signed_in_staff_member(client, factory):
    made = unit("Văn phòng")
    who = person(made, "Người")
    for path in (
        "/editor/contacts",
        "/editor/contacts/units/new",
        f"/editor/contacts/units/{made.id}/edit",
        f"/editor/contacts/people/{who.id}/edit",
    ):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login?next=")
    assert client.post(f"/editor/contacts/units/{made.id}/delete").status_code == 302
    assert db.session.get(ContactUnit, made.id) is not None


def test_missing_and_huge_ids_are_404(as_editor):
    for path in (
        "/editor/contacts/units/99/edit",
        "/editor/contacts/units/9223372036854775808/edit",
        "/editor/contacts/people/99/edit",
        "/editor/contacts/units/99/people/new",
    ):
        assert as_editor.get(path).status_code == 404


def test_every_contacts_post_needs_the_csrf_token(app_factory, factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = factory.user("editor")
        made = unit("Văn phòng")
        who = person(made, "Người")
        client = app.test_client()
        token = re.search(
            r'name="csrf_token"[^>]*value="([^"]+)"', text(client.get("/login"))
        ).group(1)
        client.post(
            "/login",
            data={"email": user.email, "password": "correct horse battery", "csrf_token": token},
        )
        for path, data in [
            ("/editor/contacts/units/new", {"name": "Mới"}),
            (f"/editor/contacts/units/{made.id}/edit", {"name": "Đổi"}),
            (f"/editor/contacts/units/{made.id}/move", {"direction": "up"}),
            (f"/editor/contacts/units/{made.id}/delete", {}),
            (f"/editor/contacts/units/{made.id}/people/new", {"unit_id": made.id, "name": "X"}),
            (f"/editor/contacts/people/{who.id}/edit", {"unit_id": made.id, "name": "Y"}),
            (f"/editor/contacts/people/{who.id}/move", {"direction": "up"}),
            (f"/editor/contacts/people/{who.id}/delete", {}),
        ]:
            assert client.post(path, data=data).status_code == 400, path
        assert db.session.get(Contact, who.id).name == "Người"


# ------------------------------------------------------------------ values


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("0235 3 000 000", None),
        ("+84 (235) 3.000-000", None),
        ("0905 000 001; 0235 3 000 001", None),
        ("", None),
        ("1022", None),
        ("0235 3 000 000 máy lẻ 12", "chars"),
        ("12", "digits"),
        ("0235/3000000", "chars"),
        ("++84 905", "chars"),
        ("javascript:alert(1)", "chars"),
    ],
)
def test_phone_rules(value, problem):
    assert contacts.phone_problem(value) == problem


def test_tel_links():
    assert contacts.tel_href("0235 3 000 001") == "tel:02353000001"
    assert contacts.tel_href("+84 (235) 3.000-001") == "tel:+842353000001"


# ------------------------------------------------------------------ JSON-LD


def jsonld(page: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def test_home_page_carries_the_organisation_as_json_ld(client, factory):
    factory.settings(
        site_name="Cổng thông tin xã Hòa Phong",
        owner="UBND xã Hòa Phong",
        owner_en="Hoa Phong Commune People's Committee",
        logo_url="/uploads/2026/01/logo-800.png",
        address="Thôn Phú Lộc, xã Hòa Phong",
        phone="0235 3 000 000; 0905 000 000",
        fax="0235 3 000 009",
        hotline="1900 0000",
        email="vanphong@hoaphong.example.org",
    )
    unit("Thường trực UBND xã", name_en="Standing Committee", phone="0235 3 000 001")
    unit("Bộ phận Một cửa", email="motcua@x.example.org")
    unit("Đơn vị không số")  # no phone nor email: no contact point
    data = jsonld(text(client.get("/")))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "GovernmentOrganization"
    assert data["name"] == "UBND xã Hòa Phong"
    assert data["alternateName"] == "Hoa Phong Commune People's Committee"
    assert data["url"] == "http://localhost/"
    assert data["logo"] == "http://localhost/uploads/2026/01/logo-800.png"
    assert data["address"] == {
        "@type": "PostalAddress",
        "streetAddress": "Thôn Phú Lộc, xã Hòa Phong",
        "addressCountry": "VN",
    }
    assert data["telephone"] == "0235 3 000 000"
    assert data["faxNumber"] == "0235 3 000 009"
    assert data["email"] == "vanphong@hoaphong.example.org"
    points = data["contactPoint"]
    assert points == [
        {
            "@type": "ContactPoint",
            "name": "Thường trực UBND xã",
            "contactType": "Standing Committee",
            "telephone": "0235 3 000 001",
        },
        {
            "@type": "ContactPoint",
            "name": "Bộ phận Một cửa",
            "contactType": "Bộ phận Một cửa",
            "email": "motcua@x.example.org",
        },
        {"@type": "ContactPoint", "contactType": "hotline", "telephone": "1900 0000"},
    ]


def test_json_ld_cannot_close_its_script_element(client, factory):
    factory.settings(owner='</script><script>alert(1)</script> & <!-- "x"')
    unit("</SCRIPT>", phone="0235 3 000 001")
    page = text(client.get("/"))
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "<" not in block and ">" not in block and "&" not in block
    assert "\\u003c/script\\u003e" in block
    data = json.loads(block)
    assert data["name"] == '</script><script>alert(1)</script> & <!-- "x"'
    assert data["contactPoint"][0]["name"] == "</SCRIPT>"


def test_json_ld_of_a_bare_site(client):
    data = jsonld(text(client.get("/")))
    assert data["@type"] == "GovernmentOrganization" and data["name"]
    assert "contactPoint" not in data and "address" not in data


# ------------------------------------------------------------------ demo content


def test_seed_demo_is_safe_to_repeat(client):
    contacts.seed_demo()
    db.session.commit()
    units = db.session.scalar(sa.select(sa.func.count(ContactUnit.id)))
    people = db.session.scalar(sa.select(sa.func.count(Contact.id)))
    assert 3 <= units <= 4 and 8 <= people <= 12
    assert all(p.title_en for p in db.session.scalars(sa.select(Contact)))
    contacts.seed_demo()
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count(Contact.id))) == people
    page = text(client.get("/contacts"))
    assert "Nguyễn Văn Khải" in page and "Chủ tịch UBND xã" in page


def test_person_form_offers_the_newest_images_as_photos(as_editor):
    from bantin.models import Media, MediaKind

    made = unit("Văn phòng")
    assert "data-photo-picker" not in text(
        as_editor.get(f"/editor/contacts/units/{made.id}/people/new")
    )
    db.session.add_all(
        [
            Media(
                path="/uploads/2026/12/chan-dung-800.jpg",
                original_name="chan-dung.jpg",
                mime="image/jpeg",
                width=800,
                height=800,
                widths="320,800",
            ),
            Media(
                path="/uploads/files/2026/12/bao-cao.pdf",
                kind=MediaKind.FILE,
                original_name="bao-cao.pdf",
                mime="application/pdf",
            ),
        ]
    )
    db.session.commit()
    page = text(as_editor.get(f"/editor/contacts/units/{made.id}/people/new"))
    assert 'data-photo="/uploads/2026/12/chan-dung-320.jpg"' in page
    assert "Chọn ảnh chan-dung.jpg" in page
    assert "bao-cao.pdf" not in page  # documents are not photos
    assert "js/contacts.js" in page
