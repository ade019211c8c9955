"""The portal's site settings (issue 13): fax, hotline and English names in the footer, the
schedule's note, and the analytics script whose origin joins the reader pages' CSP."""

import pytest
import sqlalchemy as sa

from bantin.extensions import db
from bantin.models import SiteSettings
from bantin.web.headers import CSP, EDITOR_CSP, reader_csp, script_origin
from tests.test_editor_site import SETTINGS, text

SCRIPT = "https://theodoi.example.vn:8443/js/t.js?site=12"
PORTAL = dict(
    SETTINGS,
    fax="0236 3 000 001",
    hotline="1800 0000",
    site_name_en="An Binh Commune Portal",
    owner_en="An Binh Commune People's Committee",
    address_en="Hamlet 1, An Binh Commune",
    schedule_note="Lịch này thay thư mời họp",
    analytics_script_url=SCRIPT,
)


@pytest.fixture
def as_admin(client, factory, login):
    login(factory.user("admin", name="Quản trị"))
    return client


def _csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in policy.split(";") if part.strip()}


def test_portal_settings_are_saved_and_shown_in_both_languages(as_admin):
    assert as_admin.post("/editor/settings", data=PORTAL).status_code == 303
    settings = db.session.scalars(sa.select(SiteSettings)).one()
    db.session.refresh(settings)
    assert (settings.fax, settings.hotline, settings.schedule_note) == (
        "0236 3 000 001",
        "1800 0000",
        "Lịch này thay thư mời họp",
    )
    home = text(as_admin.get("/"))
    assert "Fax: 0236 3 000 001" in home
    assert '<a href="tel:18000000">1800 0000</a>' in home
    footer = home.split('<footer class="site-footer">', 1)[1]
    # The English names stay out of the Vietnamese page (the JSON-LD gives them as alternateName).
    assert "UBND xã An Bình" in footer and "An Binh Commune People" not in footer
    as_admin.set_cookie("lang", "en")
    english = text(as_admin.get("/"))
    assert "An Binh Commune People&#39;s Committee" in english
    assert "Hamlet 1, An Binh Commune" in english
    assert '<span class="brand-name">An Binh Commune Portal</span>' in english
    assert "Hotline" in english


def test_english_falls_back_to_vietnamese_names_when_none_are_set(as_admin):
    data = dict(PORTAL, site_name_en="", owner_en="", address_en="")
    assert as_admin.post("/editor/settings", data=data).status_code == 303
    as_admin.set_cookie("lang", "en")
    english = text(as_admin.get("/"))
    assert "UBND xã An Bình" in english and "Thôn 1, xã An Bình" in english


def test_the_analytics_script_loads_from_its_file_and_its_origin_joins_the_reader_csp(as_admin):
    assert as_admin.post("/editor/settings", data=PORTAL).status_code == 303
    page = as_admin.get("/")
    html = text(page)
    assert '<script src="https://theodoi.example.vn:8443/js/t.js?site=12" async></script>' in html
    csp = _csp(page)
    origin = "https://theodoi.example.vn:8443"
    assert csp["script-src"] == f"script-src 'self' {origin}"
    assert csp["connect-src"] == f"connect-src 'self' {origin}"
    assert csp["img-src"] == f"img-src 'self' data: {origin}"
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]
    # The editor and sign-in pages never load it and keep their own policies.
    editor = as_admin.get("/editor/settings")
    assert editor.headers["Content-Security-Policy"] == EDITOR_CSP
    assert SCRIPT not in text(as_admin.get("/editor/"))
    # Responses that are not HTML pages cannot run the script: they keep the strict policy,
    # and the health check reads no settings for it (issue 16).
    for path in ("/healthz", "/feed.xml", "/robots.txt"):
        reply = as_admin.get(path)
        assert reply.status_code == 200, path
        assert reply.headers["Content-Security-Policy"] == CSP, path


def test_without_a_script_the_reader_csp_is_the_strict_one(client):
    page = client.get("/")
    assert page.headers["Content-Security-Policy"] == CSP
    assert "theodoi" not in text(page)


@pytest.mark.parametrize(
    "value",
    [
        "http://theodoi.example.vn/t.js",
        "https://theodoi.example.vn",
        "https://theodoi.example.vn/",
        "javascript:alert(1)",
        "//theodoi.example.vn/t.js",
        "https://user:pw@theodoi.example.vn/t.js",
        "https://theodoi.example.vn/t.js 'unsafe-inline'",
        "https://theodoi.example.vn/t.js;script-src *",
        "https://theodoi.example.vn:99999/t.js",
        "/static/js/t.js",
    ],
)
def test_an_analytics_url_that_is_not_an_https_file_is_refused_and_kept(as_admin, value):
    response = as_admin.post("/editor/settings", data=dict(PORTAL, analytics_script_url=value))
    assert response.status_code == 400
    html = text(response)
    assert "Cần đường dẫn https đầy đủ tới tệp script" in html
    assert 'id="analytics_script_url-error"' in html
    assert "Lịch này thay thư mời họp" in html  # the rest of the form kept
    assert SiteSettings.get().analytics_script_url == ""


def test_script_origin_and_reader_csp():
    assert script_origin("https://a.example/x.js") == "https://a.example"
    assert script_origin("https://A.Example:444/x.js") == "https://a.example:444"
    assert script_origin("") is None and script_origin(None) is None
    assert reader_csp(None) == CSP
    policy = reader_csp("https://a.example")
    assert "script-src 'self' https://a.example;" in policy
    assert policy.count("https://a.example") == 3
