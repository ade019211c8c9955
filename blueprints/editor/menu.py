"""The header menu builder (two levels): GET shows the menu, POST stores the whole menu."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField

from bantin import menu, queries, site_pages
from bantin.extensions import db
from bantin.models import MenuTarget
from bantin.permissions import Capability, requires
from blueprints.editor.blueprint import bp


class MenuForm(FlaskForm):
    # The builder's script writes the arrangement here as JSON when the form is sent.
    menu = HiddenField()


def _render(form: MenuForm, entries: list[menu.Entry], errors=(), status: int = 200):
    return (
        render_template(
            "editor/menu.html",
            form=form,
            entries=entries,
            errors=list(errors),
            targets=[t.value for t in MenuTarget],
            categories=queries.categories(),
            pages=site_pages.tree(include_deleted=False),
            max_items=menu.MAX_ITEMS,
        ),
        status,
    )


@bp.route("/menu", methods=["GET", "POST"])
@requires(Capability.MANAGE_MENU)
def menu_builder():
    """Arrange the header menu; a refused menu comes back exactly as it was arranged."""
    form = MenuForm()
    if request.method == "GET":
        return _render(form, menu.stored())
    if not form.validate():  # the token (the site-wide CSRF check refuses it first)
        return _render(form, menu.stored(), [_("Hãy tải lại trang rồi lưu lại.")], 400)
    parsed = menu.parse(form.menu.data or "")
    if not parsed.ok:
        errors = parsed.errors or [
            _("Menu chưa được lưu. Hãy sửa các mục được đánh dấu; cách sắp xếp vẫn giữ nguyên.")
        ]
        return _render(form, parsed.items, errors, 400)
    menu.replace(parsed, current_user._get_current_object())
    db.session.commit()
    flash(_("Đã lưu menu. Bạn đọc thấy menu mới ngay."), "success")
    return redirect(url_for("editor.menu_builder"), 303)
