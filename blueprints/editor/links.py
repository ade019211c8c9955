"""Web links (admin): the sidebar's "Liên kết web" list."""

import sqlalchemy as sa
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from bantin import audit
from bantin.extensions import db
from bantin.models import WebLink
from bantin.permissions import Capability, requires
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_site import WebLinkForm

ID = "int(max=2147483647)"


@bp.get("/links")
@requires(Capability.MANAGE_LINKS)
def links():
    """All web links in display order, hidden ones included."""
    rows = db.session.scalars(sa.select(WebLink).order_by(WebLink.position, WebLink.id)).all()
    return render_template("editor/links.html", links=rows)


def _apply(form: WebLinkForm, link: WebLink) -> None:
    link.title = form.title.data
    link.url = form.url.data
    if form.position.data is not None:
        link.position = form.position.data
    link.visible = bool(form.visible.data)


@bp.route("/links/new", methods=["GET", "POST"])
@requires(Capability.MANAGE_LINKS)
def link_new():
    """Add a web link."""
    form = WebLinkForm()
    if request.method == "POST":
        if form.validate():
            top = db.session.scalar(sa.select(sa.func.max(WebLink.position)))
            link = WebLink(position=(top or 0) + 1)
            _apply(form, link)
            db.session.add(link)
            db.session.flush()
            audit.record("link.create", "link", link.id, f"{link.title} {link.url}")
            db.session.commit()
            flash(_("Đã thêm liên kết “%(title)s”.", title=link.title), "success")
            return redirect(url_for("editor.links"), 303)
        return render_template("editor/link_form.html", form=form, link=None), 400
    return render_template("editor/link_form.html", form=form, link=None)


@bp.route(f"/links/<{ID}:link_id>/edit", methods=["GET", "POST"])
@requires(Capability.MANAGE_LINKS)
def link_edit(link_id: int):
    """Change a web link's title, address, order or visibility."""
    link = db.get_or_404(WebLink, link_id)
    form = WebLinkForm(obj=link)
    if request.method == "POST":
        if form.validate():
            before = f"{link.title} {link.url} visible={link.visible}"
            _apply(form, link)
            audit.record(
                "link.update",
                "link",
                link.id,
                f"{before} -> {link.title} {link.url} visible={link.visible}",
            )
            db.session.commit()
            flash(_("Đã lưu liên kết “%(title)s”.", title=link.title), "success")
            return redirect(url_for("editor.links"), 303)
        return render_template("editor/link_form.html", form=form, link=link), 400
    return render_template("editor/link_form.html", form=form, link=link)


@bp.post(f"/links/<{ID}:link_id>/delete")
@requires(Capability.MANAGE_LINKS)
def link_delete(link_id: int):
    """Remove a web link."""
    link = db.get_or_404(WebLink, link_id)
    audit.record("link.delete", "link", link.id, f"{link.title} {link.url}")
    db.session.delete(link)
    db.session.commit()
    flash(_("Đã xóa liên kết “%(title)s”.", title=link.title), "success")
    return redirect(url_for("editor.links"), 303)
