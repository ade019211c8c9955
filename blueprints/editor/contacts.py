"""Units and officials' contacts in the editor (staff): list, add, edit, reorder, delete."""

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField
from wtforms.validators import DataRequired, ValidationError

from bantin import contacts, media
from bantin.extensions import db
from bantin.models import Contact, ContactUnit, Media, MediaKind
from bantin.permissions import Capability, requires
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_site import (
    REQUIRED,
    _line,
    _max,
    email_address,
    no_control_chars,
    upload_path,
)

ID = "int(max=2147483647)"
# The person form offers this many of the newest images as photos (contacts.js).
PHOTO_CHOICES = 24


def phone_field(form, field) -> None:
    problem = contacts.phone_problem(field.data)
    if problem == "chars":
        raise ValidationError(
            _l(
                "Số điện thoại chỉ gồm chữ số, khoảng trắng và các dấu + . - ( ); "
                "nhiều số cách nhau bằng dấu chấm phẩy (;)."
            )
        )
    if problem == "digits":
        raise ValidationError(
            _l(
                "Mỗi số điện thoại cần từ %(min)d đến %(max)d chữ số.",
                min=contacts.PHONE_MIN_DIGITS,
                max=contacts.PHONE_MAX_DIGITS,
            )
        )


class UnitSelectField(SelectField):
    """The unit a person belongs to; a value not in the list speaks Vietnamese."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            self.data = None
            raise ValueError(_l("Hãy chọn một đơn vị trong danh sách.")) from exc

    def pre_validate(self, form) -> None:
        if self.data not in {value for value, _label in self.choices or []}:
            raise ValidationError(_l("Hãy chọn một đơn vị trong danh sách."))


class UnitForm(FlaskForm):
    name = StringField(
        _l("Tên đơn vị"),
        filters=[_line],
        validators=[DataRequired(REQUIRED), _max(200), no_control_chars],
    )
    name_en = StringField(
        _l("Tên đơn vị bằng tiếng Anh"), filters=[_line], validators=[_max(200), no_control_chars]
    )
    phone = StringField(
        _l("Điện thoại"), filters=[_line], validators=[_max(100), no_control_chars, phone_field]
    )
    email = EmailField(_l("Email"), filters=[_line], validators=[_max(254), email_address])
    address = StringField(
        _l("Địa chỉ, nơi làm việc"), filters=[_line], validators=[_max(300), no_control_chars]
    )


class ContactForm(FlaskForm):
    unit_id = UnitSelectField(_l("Đơn vị"), coerce=int)
    name = StringField(
        _l("Họ và tên"),
        filters=[_line],
        validators=[DataRequired(REQUIRED), _max(200), no_control_chars],
    )
    title = StringField(_l("Chức vụ"), filters=[_line], validators=[_max(200), no_control_chars])
    title_en = StringField(
        _l("Chức vụ bằng tiếng Anh"), filters=[_line], validators=[_max(200), no_control_chars]
    )
    phone = StringField(
        _l("Điện thoại"), filters=[_line], validators=[_max(100), no_control_chars, phone_field]
    )
    email = EmailField(_l("Email"), filters=[_line], validators=[_max(254), email_address])
    photo_url = StringField(
        _l("Ảnh (đường dẫn từ Thư viện ảnh)"),
        filters=[_line],
        validators=[_max(300), upload_path],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.unit_id.choices = [(u.id, u.name) for u in contacts.ordered_units()]


def _photo_choices() -> list[tuple[str, str]]:
    """The newest uploaded images: (smallest stored size's URL, original name)."""
    images = db.session.scalars(
        sa.select(Media)
        .where(Media.kind == MediaKind.IMAGE)
        .order_by(Media.created_at.desc(), Media.id.desc())
        .limit(PHOTO_CHOICES)
    )
    choices = []
    for image in images:
        sizes = media.variants(image)
        if sizes:
            choices.append((sizes[0].url, image.original_name or sizes[0].url.rpartition("/")[2]))
    return choices


def _person_form(form: ContactForm, person: Contact | None, unit: ContactUnit, status: int = 200):
    return (
        render_template(
            "editor/contacts/person_form.html",
            form=form,
            person=person,
            unit=unit,
            photos=_photo_choices(),
        ),
        status,
    )


def _unit_changes(form: UnitForm) -> dict:
    return {name: getattr(form, name).data or "" for name in contacts.UNIT_FIELDS}


def _contact_changes(form: ContactForm) -> dict:
    data = {name: getattr(form, name).data or "" for name in contacts.CONTACT_FIELDS}
    data["unit_id"] = form.unit_id.data
    return data


def _back(anchor: str = "") -> str:
    return url_for("editor.contacts") + (f"#{anchor}" if anchor else "")


@bp.get("/contacts", endpoint="contacts")
@requires(Capability.MANAGE_PORTAL)
def contacts_list():
    """Units in the office's order, each with its people."""
    return render_template("editor/contacts/list.html", units=contacts.ordered_units())


@bp.route("/contacts/units/new", methods=["GET", "POST"])
@requires(Capability.MANAGE_PORTAL)
def contact_unit_new():
    """Add a unit (placed last)."""
    form = UnitForm()
    if request.method == "POST":
        if form.validate():
            unit = contacts.save_unit(None, None, _unit_changes(form))
            db.session.commit()
            flash(_("Đã thêm đơn vị “%(name)s”.", name=unit.name), "success")
            return redirect(_back(f"unit-{unit.id}"), 303)
        return render_template("editor/contacts/unit_form.html", form=form, unit=None), 400
    return render_template("editor/contacts/unit_form.html", form=form, unit=None)


@bp.route(f"/contacts/units/<{ID}:unit_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_PORTAL)
def contact_unit_edit(unit_id: int):
    """Change a unit's names and contact details."""
    unit = db.get_or_404(ContactUnit, unit_id)
    form = UnitForm(obj=unit)
    if request.method == "POST":
        if form.validate():
            contacts.save_unit(unit, None, _unit_changes(form))
            db.session.commit()
            flash(_("Đã lưu đơn vị “%(name)s”.", name=unit.name), "success")
            return redirect(_back(f"unit-{unit.id}"), 303)
        return render_template("editor/contacts/unit_form.html", form=form, unit=unit), 400
    return render_template("editor/contacts/unit_form.html", form=form, unit=unit)


def _direction() -> str:
    direction = request.form.get("direction", "")
    if direction not in ("up", "down"):
        abort(400)
    return direction


@bp.post(f"/contacts/units/<{ID}:unit_id>/move")
@requires(Capability.MANAGE_PORTAL)
def contact_unit_move(unit_id: int):
    """Move a unit one place up or down."""
    unit = db.get_or_404(ContactUnit, unit_id)
    contacts.move_unit(unit, _direction(), None)
    db.session.commit()
    return redirect(_back(f"unit-{unit.id}"), 303)


@bp.post(f"/contacts/units/<{ID}:unit_id>/delete")
@requires(Capability.MANAGE_PORTAL)
def contact_unit_delete(unit_id: int):
    """Delete a unit and its people (the page asks first)."""
    unit = db.get_or_404(ContactUnit, unit_id)
    name = unit.name
    contacts.delete_unit(unit, None)
    db.session.commit()
    flash(_("Đã xóa đơn vị “%(name)s”.", name=name), "success")
    return redirect(_back(), 303)


@bp.route(f"/contacts/units/<{ID}:unit_id>/people/new", methods=["GET", "POST"])
@requires(Capability.MANAGE_PORTAL)
def contact_new(unit_id: int):
    """Add a person to a unit (placed last in it)."""
    unit = db.get_or_404(ContactUnit, unit_id)
    form = ContactForm()
    if request.method == "GET":
        form.unit_id.data = unit.id
    if request.method == "POST":
        if form.validate():
            person = contacts.save_contact(None, None, _contact_changes(form))
            db.session.commit()
            flash(_("Đã thêm “%(name)s”.", name=person.name), "success")
            return redirect(_back(f"person-{person.id}"), 303)
        return _person_form(form, None, unit, 400)
    return _person_form(form, None, unit)


@bp.route(f"/contacts/people/<{ID}:contact_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_PORTAL)
def contact_edit(contact_id: int):
    """Change a person's name, position, numbers, photo or unit."""
    person = db.get_or_404(Contact, contact_id)
    form = ContactForm(obj=person)
    if request.method == "POST":
        if form.validate():
            contacts.save_contact(person, None, _contact_changes(form))
            db.session.commit()
            flash(_("Đã lưu “%(name)s”.", name=person.name), "success")
            return redirect(_back(f"person-{person.id}"), 303)
        return _person_form(form, person, person.unit, 400)
    return _person_form(form, person, person.unit)


@bp.post(f"/contacts/people/<{ID}:contact_id>/move")
@requires(Capability.MANAGE_PORTAL)
def contact_move(contact_id: int):
    """Move a person one place up or down within the unit."""
    person = db.get_or_404(Contact, contact_id)
    contacts.move_contact(person, _direction(), None)
    db.session.commit()
    return redirect(_back(f"person-{person.id}"), 303)


@bp.post(f"/contacts/people/<{ID}:contact_id>/delete")
@requires(Capability.MANAGE_PORTAL)
def contact_delete(contact_id: int):
    """Remove a person from the directory."""
    person = db.get_or_404(Contact, contact_id)
    name, unit_id = person.name, person.unit_id
    contacts.delete_contact(person, None)
    db.session.commit()
    flash(_("Đã xóa “%(name)s”.", name=name), "success")
    return redirect(_back(f"unit-{unit_id}"), 303)
