"""Site settings (admin): name, logo, footer details, listing size, comment policy."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from bantin import audit, media
from bantin.extensions import db
from bantin.models import SiteSettings
from bantin.permissions import Capability, requires
from blueprints.editor.blueprint import bp
from blueprints.editor.forms_site import SettingsForm

# Every column the form edits, in the order the audit detail lists changes.
FIELDS = (
    "site_name",
    "tagline",
    "owner",
    "managing_body",
    "address",
    "phone",
    "email",
    "fax",
    "hotline",
    "site_name_en",
    "owner_en",
    "address_en",
    "schedule_note",
    "analytics_script_url",
    "credit_line",
    "articles_per_page",
    "comments_require_approval",
    "comments_auto_approve_returning",
    "comments_close_after_days",
    "moderation_keywords",
    "blocked_keywords",
    "blocked_ips",
    "two_factor_required_for_admins",
)
BOOLEANS = (
    "comments_require_approval",
    "comments_auto_approve_returning",
    "two_factor_required_for_admins",
)


class LogoError(Exception):
    pass


def _store_logo(file_storage) -> str:
    """Store an uploaded logo through the media service; its URL, or LogoError."""
    try:
        stored = media.store_image(file_storage, current_user._get_current_object())
    except ValueError as exc:  # media.UploadError: the service says why (not an image, too large…)
        current_app.logger.info("logo rejected: %s", exc)
        raise LogoError(str(exc) or _("Tệp này không phải là ảnh hợp lệ.")) from exc
    return stored.url


def _two_factor_allowed(form: SettingsForm) -> bool:
    """An admin cannot require two-factor of admins without having it: they would be sent
    to its setup from the next page on."""
    if form.two_factor_required_for_admins.data and not current_user.two_factor_enabled:
        form.two_factor_required_for_admins.errors.append(
            _(
                "Bạn cần bật xác thực hai bước cho chính tài khoản của mình (Hồ sơ của tôi) "
                "trước khi bắt buộc quản trị viên dùng nó."
            )
        )
        return False
    return True


@bp.route("/settings", methods=["GET", "POST"])
@requires(Capability.MANAGE_SETTINGS)
def settings():
    """Edit the site settings; changes show on the public site at once."""
    site = SiteSettings.get()
    form = SettingsForm(obj=site)
    if request.method == "GET":
        form.logo_url.data = site.logo_url or ""
        return render_template("editor/settings.html", form=form, site=site)

    if form.validate() and _two_factor_allowed(form):
        logo = form.logo_url.data or None
        upload = form.logo_file.data
        if form.remove_logo.data:
            logo = None
        elif upload and getattr(upload, "filename", ""):
            try:
                logo = _store_logo(upload)
            except LogoError as exc:
                form.logo_file.errors = [str(exc)]
        if not form.logo_file.errors:
            changed = []
            for name in FIELDS:
                value = getattr(form, name).data
                if name in BOOLEANS:
                    value = bool(value)
                elif value is None:
                    value = ""
                if getattr(site, name) != value:
                    changed.append(name)
                    setattr(site, name, value)
            if site.logo_url != logo:
                changed.append("logo_url")
                site.logo_url = logo
            audit.record("settings.update", "settings", site.id, ", ".join(changed) or "-")
            db.session.add(site)  # already persistent, unless the row was missing
            db.session.commit()
            flash(_("Đã lưu cài đặt. Thay đổi đã hiện trên trang."), "success")
            return redirect(url_for("editor.settings"), 303)
    return render_template("editor/settings.html", form=form, site=site), 400
