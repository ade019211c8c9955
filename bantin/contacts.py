"""The organisation's units and the officials' contacts (GET /contacts), and the home page's
JSON-LD (a schema.org GovernmentOrganization with its contact points).

Units and people are ordered by the office (``position``, moved one place at a time).
Every change goes through this module and records an audit event; the caller commits.
"""

from __future__ import annotations

import json
import re
from types import SimpleNamespace
from typing import Any

import sqlalchemy as sa
from markupsafe import Markup

from bantin import audit
from bantin.extensions import db
from bantin.models import Contact, ContactUnit, User
from bantin.text import clean_line, normalise_email

UNIT_FIELDS = {"name": 200, "name_en": 200, "phone": 100, "email": 254, "address": 300}
CONTACT_FIELDS = {
    "name": 200,
    "title": 200,
    "title_en": 200,
    "phone": 100,
    "email": 254,
    "photo_url": 300,
    "unit_id": None,
}

# A phone number as offices write it: digits with spaces, dots, dashes or brackets, an
# optional leading +; several numbers separated by ";" (e.g. a desk and a mobile phone).
_PHONE_RE = re.compile(r"\+?[0-9][0-9 .()\-]*")
PHONE_MIN_DIGITS = 3
PHONE_MAX_DIGITS = 15


class InvalidChange(ValueError):
    """A value the service refuses whatever the form said (defence in depth)."""


# ------------------------------------------------------------------ values


def phone_numbers(value: str | None) -> list[str]:
    """The numbers of a phone field ("0235 3 000 001; 0905 000 001"), each trimmed."""
    return [part.strip() for part in (value or "").split(";") if part.strip()]


def phone_problem(value: str | None) -> str | None:
    """Why a phone field is refused (a key: "chars" or "digits"), or None when it is fine."""
    for number in phone_numbers(value):
        if not _PHONE_RE.fullmatch(number):
            return "chars"
        digits = sum(ch.isdigit() for ch in number)
        if not PHONE_MIN_DIGITS <= digits <= PHONE_MAX_DIGITS:
            return "digits"
    return None


def clean_phone(value: str | None) -> str:
    """Numbers kept as typed (spacing folded), joined by "; "."""
    return "; ".join(clean_line(number) for number in phone_numbers(clean_line(value)))


def tel_href(number: str) -> str:
    """ "0235 3 000 001" -> "tel:02353000001"; "+84 235 …" keeps its plus."""
    digits = "".join(ch for ch in number if ch.isdigit())
    return f"tel:{'+' if number.strip().startswith('+') else ''}{digits}"


def _normalise(field: str, value: Any, limits: dict) -> Any:
    if field == "unit_id":
        return int(value)
    if field == "photo_url":
        text = (value or "").strip()
        if text and not text.startswith("/uploads/"):
            raise InvalidChange("photo_url must be an /uploads/ path")
        if len(text) > limits[field]:
            raise InvalidChange("photo_url too long")
        return text or None
    if field == "phone":
        if phone_problem(value):
            raise InvalidChange("phone has characters a phone number cannot have")
        text = clean_phone(value)
    elif field == "email":
        text = normalise_email(value) if (value or "").strip() else ""
    else:
        text = clean_line(value)
    if len(text) > limits[field]:
        raise InvalidChange(f"{field} too long")
    return text


def _apply(obj, changes: dict[str, Any], limits: dict) -> str:
    unknown = set(changes) - set(limits)
    if unknown:
        raise InvalidChange(f"not editable: {sorted(unknown)}")
    before = f"{obj.name}" if obj.name else ""
    for field, value in changes.items():
        setattr(obj, field, _normalise(field, value, limits))
    if not obj.name:
        raise InvalidChange("a name is required")
    return before


# ------------------------------------------------------------------ units


def ordered_units() -> list[ContactUnit]:
    return list(
        db.session.scalars(sa.select(ContactUnit).order_by(ContactUnit.position, ContactUnit.id))
    )


def save_unit(unit: ContactUnit | None, user: User | None, changes: dict[str, Any]) -> ContactUnit:
    """Create (unit=None, placed last) or change a unit."""
    creating = unit is None
    if unit is None:
        top = db.session.scalar(sa.select(sa.func.max(ContactUnit.position)))
        unit = ContactUnit(position=(top or 0) + 1, name="")
    before = _apply(unit, changes, UNIT_FIELDS)
    db.session.add(unit)
    db.session.flush()
    if creating:
        audit.record("contact_unit.create", "contact_unit", unit.id, unit.name, user=user)
    else:
        audit.record(
            "contact_unit.update", "contact_unit", unit.id, f"{before} -> {unit.name}", user=user
        )
    return unit


def delete_unit(unit: ContactUnit, user: User | None) -> None:
    """A unit goes with its people."""
    detail = f"{unit.name} ({len(unit.people)})"
    audit.record("contact_unit.delete", "contact_unit", unit.id, detail, user=user)
    db.session.delete(unit)
    db.session.flush()


def _move(items: list, item, direction: str) -> bool:
    """Swap `item` with its neighbour and renumber from 1 (equal or sparse positions never
    make a move a no-op). False when it is already first/last."""
    if direction not in ("up", "down"):
        raise InvalidChange("direction must be up or down")
    index = items.index(item)
    other = index - 1 if direction == "up" else index + 1
    moved = 0 <= other < len(items)
    if moved:
        items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        if each.position != position:
            each.position = position
    return moved


def move_unit(unit: ContactUnit, direction: str, user: User | None) -> bool:
    moved = _move(ordered_units(), unit, direction)
    if moved:
        audit.record(
            "contact_unit.move", "contact_unit", unit.id, f"{unit.name} {direction}", user=user
        )
    db.session.flush()
    return moved


# ------------------------------------------------------------------ people


def _people_of(unit_id: int) -> list[Contact]:
    return list(
        db.session.scalars(
            sa.select(Contact)
            .where(Contact.unit_id == unit_id)
            .order_by(Contact.position, Contact.id)
        )
    )


def _last_position(unit_id: int) -> int:
    top = db.session.scalar(
        sa.select(sa.func.max(Contact.position)).where(Contact.unit_id == unit_id)
    )
    return (top or 0) + 1


def save_contact(contact: Contact | None, user: User | None, changes: dict[str, Any]) -> Contact:
    """Create (contact=None, placed last in its unit) or change a person; a person moved to
    another unit goes last there."""
    creating = contact is None
    old_unit = None if contact is None else contact.unit_id
    if contact is None:
        contact = Contact(name="")
    before = _apply(contact, changes, CONTACT_FIELDS)
    if contact.unit_id is None or db.session.get(ContactUnit, contact.unit_id) is None:
        raise InvalidChange("unknown unit")
    if creating or old_unit != contact.unit_id:
        contact.position = _last_position(contact.unit_id)
    db.session.add(contact)
    db.session.flush()
    detail = f"{contact.name}, {contact.title}"
    if creating:
        audit.record("contact.create", "contact", contact.id, detail, user=user)
    else:
        audit.record("contact.update", "contact", contact.id, f"{before} -> {detail}", user=user)
    return contact


def delete_contact(contact: Contact, user: User | None) -> None:
    audit.record(
        "contact.delete", "contact", contact.id, f"{contact.name}, {contact.title}", user=user
    )
    db.session.delete(contact)
    db.session.flush()


def move_contact(contact: Contact, direction: str, user: User | None) -> bool:
    moved = _move(_people_of(contact.unit_id), contact, direction)
    if moved:
        audit.record(
            "contact.move", "contact", contact.id, f"{contact.name} {direction}", user=user
        )
    db.session.flush()
    return moved


# ------------------------------------------------------------------ reading


def _localised(value: str, english: str, en: bool) -> str:
    return english if en and english else value


def directory(locale: str) -> list[SimpleNamespace]:
    """Units in order, each with its people, as plain snapshots in the reader's language
    (English names and positions when the interface is English and they are set)."""
    en = locale == "en"
    units = ordered_units()
    people: dict[int, list[Contact]] = {}
    for person in db.session.scalars(
        sa.select(Contact).order_by(Contact.unit_id, Contact.position, Contact.id)
    ):
        people.setdefault(person.unit_id, []).append(person)
    return [
        SimpleNamespace(
            id=unit.id,
            name=_localised(unit.name, unit.name_en, en),
            phones=phone_numbers(unit.phone),
            email=unit.email,
            address=unit.address,
            people=[
                SimpleNamespace(
                    id=p.id,
                    name=p.name,
                    title=_localised(p.title, p.title_en, en),
                    phones=phone_numbers(p.phone),
                    email=p.email,
                    photo_url=p.photo_url,
                )
                for p in people.get(unit.id, [])
            ],
        )
        for unit in units
    ]


def office(settings, locale: str) -> SimpleNamespace:
    """The office's own contact details from the site settings, in the reader's language."""
    en = locale == "en"
    return SimpleNamespace(
        name=_localised(settings.owner or settings.site_name, settings.owner_en, en),
        managing_body=settings.managing_body,
        address=_localised(settings.address, settings.address_en, en),
        phones=phone_numbers(settings.phone),
        fax=settings.fax,
        hotlines=phone_numbers(settings.hotline),
        email=settings.email,
    )


# ------------------------------------------------------------------ JSON-LD


def organization_data(settings, home_url: str, logo_url: str | None) -> dict:
    """schema.org GovernmentOrganization: the office, its address and a contact point per
    unit that has a phone or an email. Empty values are left out."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "GovernmentOrganization",
        "name": settings.owner or settings.site_name,
        "url": home_url,
    }
    if settings.owner_en or settings.site_name_en:
        data["alternateName"] = settings.owner_en or settings.site_name_en
    if logo_url:
        data["logo"] = logo_url
    if settings.address:
        data["address"] = {
            "@type": "PostalAddress",
            "streetAddress": settings.address,
            "addressCountry": "VN",
        }
    phones = phone_numbers(settings.phone)
    if phones:
        data["telephone"] = phones[0]
    if settings.fax:
        data["faxNumber"] = settings.fax
    if settings.email:
        data["email"] = settings.email
    points = []
    for unit in ordered_units():
        unit_phones = phone_numbers(unit.phone)
        if not unit_phones and not unit.email:
            continue
        point: dict[str, Any] = {"@type": "ContactPoint", "name": unit.name}
        point["contactType"] = unit.name_en or unit.name
        if unit_phones:
            point["telephone"] = unit_phones[0]
        if unit.email:
            point["email"] = unit.email
        points.append(point)
    hotlines = phone_numbers(settings.hotline)
    if hotlines:
        points.append({"@type": "ContactPoint", "contactType": "hotline", "telephone": hotlines[0]})
    if points:
        data["contactPoint"] = points
    return data


def json_for_html(data: Any) -> str:
    """JSON safe inside a <script> element: <, > and & escaped as \\u003c, \\u003e, \\u0026
    (no "</script>" or "<!--" can end or change the element)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def jsonld_script(settings, home_url: str, logo_url: str | None) -> Markup:
    body = json_for_html(organization_data(settings, home_url, logo_url))
    return Markup(f'<script type="application/ld+json">{body}</script>')


# ------------------------------------------------------------------ demo content

# Made-up people and numbers for the fictional office (the 0235 3 000 … numbers and the
# example.org addresses are clearly not real).
DEMO_UNITS = [
    {
        "name": "Thường trực UBND xã",
        "name_en": "Standing Committee of the Commune People's Committee",
        "phone": "0235 3 000 001",
        "email": "ubnd@hoaphong.example.org",
        "address": "Trụ sở UBND xã, thôn Phú Lộc",
        "people": [
            ("Nguyễn Văn Khải", "Chủ tịch UBND xã", "Chairman", "0235 3 000 011", "khai.nv"),
            ("Đỗ Thị Mai", "Phó Chủ tịch UBND xã", "Vice Chairwoman", "0235 3 000 012", "mai.dt"),
            ("Lê Văn Bình", "Phó Chủ tịch UBND xã", "Vice Chairman", "0235 3 000 013", "binh.lv"),
        ],
    },
    {
        "name": "Văn phòng HĐND và UBND xã",
        "name_en": "Office of the People's Council and People's Committee",
        "phone": "0235 3 000 000",
        "email": "vanphong@hoaphong.example.org",
        "address": "Tầng 1, trụ sở UBND xã",
        "people": [
            (
                "Trần Thị Thu Hà",
                "Chánh Văn phòng",
                "Chief of Office",
                "0235 3 000 021",
                "ha.ttt",
            ),
            (
                "Phan Minh Đức",
                "Công chức Văn phòng - Thống kê",
                "Office and Statistics Officer",
                "0235 3 000 022",
                "duc.pm",
            ),
            (
                "Võ Thị Hồng Nhung",
                "Công chức Tư pháp - Hộ tịch",
                "Justice and Civil Status Officer",
                "0235 3 000 023",
                "nhung.vth",
            ),
        ],
    },
    {
        "name": "Bộ phận Một cửa",
        "name_en": "One-Stop Service Desk",
        "phone": "0235 3 000 030",
        "email": "motcua@hoaphong.example.org",
        "address": "Tầng 1, trụ sở UBND xã (cửa bên trái)",
        "people": [
            (
                "Huỳnh Văn Tâm",
                "Công chức Địa chính - Xây dựng",
                "Land and Construction Officer",
                "0235 3 000 031",
                "tam.hv",
            ),
            (
                "Ngô Thị Lan",
                "Công chức Tài chính - Kế toán",
                "Finance and Accounting Officer",
                "0235 3 000 032",
                "lan.nt",
            ),
        ],
    },
    {
        "name": "Trạm Y tế xã",
        "name_en": "Commune Health Station",
        "phone": "0235 3 000 040",
        "email": "",
        "address": "Thôn An Mỹ",
        "people": [
            (
                "Lương Thị Kim Oanh",
                "Trưởng Trạm Y tế",
                "Head of the Health Station",
                "0235 3 000 041",
                "oanh.ltk",
            ),
        ],
    },
]


def seed_demo() -> None:
    """Units and people for the demo office (nothing is added when units already exist)."""
    if db.session.scalar(sa.select(sa.func.count(ContactUnit.id))):
        return
    for item in DEMO_UNITS:
        unit = save_unit(
            None,
            None,
            {key: item[key] for key in ("name", "name_en", "phone", "email", "address")},
        )
        for name, title, title_en, phone, mailbox in item["people"]:
            save_contact(
                None,
                None,
                {
                    "unit_id": unit.id,
                    "name": name,
                    "title": title,
                    "title_en": title_en,
                    "phone": phone,
                    "email": f"{mailbox}@hoaphong.example.org",
                },
            )
