"""The organisation's units and officials for readers: GET /contacts; the home page's
JSON-LD (a template global, so the cached home page carries it)."""

from urllib.parse import urljoin

from flask import request, url_for
from flask_babel import get_locale
from markupsafe import Markup

from bantin import contacts
from bantin.reader import render_page
from bantin.sidebar import site_layout
from blueprints.public.blueprint import bp


@bp.get("/contacts")
def contacts_page():
    """The office's address and numbers, then each unit with its people, in the office's
    order; English names and positions when the interface is English."""
    locale = str(get_locale())
    return render_page(
        "public/contacts.html",
        office=contacts.office(site_layout().settings, locale),
        units=contacts.directory(locale),
        tel_href=contacts.tel_href,
    )


@bp.app_template_global()
def organization_jsonld() -> Markup:
    """<script type="application/ld+json"> describing the office (the home page's head)."""
    settings = site_layout().settings
    logo = urljoin(request.url_root, settings.logo_url) if settings.logo_url else None
    return contacts.jsonld_script(settings, url_for("public.home", _external=True), logo)
