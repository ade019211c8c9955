"""The favicon: every browser asks for /favicon.ico; a 404 there was Lighthouse's one
best-practice loss."""

import io

from PIL import Image

from tests.conftest import ROOT


def test_favicon_is_served_and_linked(client):
    icon = client.get("/favicon.ico", buffered=True)
    assert icon.status_code == 200
    assert icon.mimetype == "image/x-icon"
    assert icon.data == (ROOT / "static" / "favicon.ico").read_bytes()
    assert "max-age=604800" in icon.headers["Cache-Control"]
    assert icon.headers["Content-Security-Policy"]  # the usual headers, like any response
    image = Image.open(io.BytesIO(icon.data))
    assert image.format == "ICO"
    assert {(16, 16), (32, 32)} <= set(image.info["sizes"])
    home = client.get("/").get_data(as_text=True)
    assert '<link rel="icon" href="/favicon.ico"' in home
