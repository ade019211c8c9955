"""The logo URL is shown to every visitor as <img src>: only an existing image under
/uploads/, stored in one normalised spelling. `/uploads/%2e%2e/lang/en` once passed the
check, and every visitor's browser (which folds %2e%2e into ..) then fetched /lang/en."""

from pathlib import Path

import pytest

from bantin.models import SiteSettings
from tests.test_editor_site import SETTINGS

LOGO = "/uploads/2026/03/abc-800.png"


@pytest.fixture
def as_admin(client, factory, login):
    login(factory.user("admin"))
    return client


@pytest.fixture
def uploads(app) -> Path:
    folder = Path(app.config["UPLOAD_FOLDER"])
    (folder / "2026" / "03").mkdir(parents=True)
    (folder / "2026" / "03" / "abc-800.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "files" / "2026" / "03").mkdir(parents=True)
    (folder / "files" / "2026" / "03" / "report.pdf").write_bytes(b"%PDF-1.4")
    (folder / "2026" / "03" / "elsewhere.png").symlink_to(Path(app.instance_path) / "bantin.db")
    return folder


def _save(client, logo_url: str):
    return client.post("/editor/settings", data=dict(SETTINGS, logo_url=logo_url))


@pytest.mark.parametrize(
    "value",
    [
        "/uploads/%2e%2e/lang/en",
        "/uploads/%2E%2E/%2e%2e/editor/",
        "/uploads/2026/%2e%2e/%2e%2e/secret_key",
        "/uploads/%252e%252e/lang/en",  # encoded twice
        "/uploads/2026/03/./abc-800.png",
        "/uploads/2026/03/%2e/abc-800.png",
        "/uploads/2026/03/abc-800.png/",
        "/uploads/2026//03/abc-800.png",
        "/uploads/2026/03/abc-800.png;v=1",
        "/uploads/2026/03/abc-800.png%3Fv=1",
        "/uploads/2026/03/abc-800.png%00.png",
        "/uploads/2026/03/missing-800.png",  # no such file
        "/uploads/2026/03",  # a folder
        "/uploads/files/2026/03/report.pdf",  # a file, not an image
        "/uploads/2026/03/elsewhere.png",  # a link out of the upload folder
        "/uploads/%C3%A0%ZZ.png",
        "https://evil.example/uploads/2026/03/abc-800.png",
        "//evil.example/uploads/2026/03/abc-800.png",
    ],
)
def test_logo_url_must_be_an_existing_upload(as_admin, uploads, value):
    before = SiteSettings.get().logo_url
    response = _save(as_admin, value)
    assert response.status_code == 400, value
    assert 'id="logo_url-error"' in response.get_data(as_text=True)
    assert SiteSettings.get().logo_url == before


@pytest.mark.parametrize(
    "value",
    [
        LOGO,
        "/uploads/2026/03/abc%2D800.png",
        "/uploads/2026%2F03%2Fabc-800.png",
        "/uploads/%32%30%32%36/03/abc-800.png",
    ],
)
def test_logo_url_is_stored_normalised(as_admin, uploads, value):
    response = _save(as_admin, value)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert SiteSettings.get().logo_url == LOGO
    assert f'src="{LOGO}"' in as_admin.get("/").get_data(as_text=True)


def test_unchanged_settings_keep_a_valid_logo(as_admin, uploads):
    assert _save(as_admin, LOGO).status_code == 303
    assert _save(as_admin, LOGO).status_code == 303  # saving the form again changes nothing
    assert SiteSettings.get().logo_url == LOGO
