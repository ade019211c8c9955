"""Image uploads: real images are cleaned and re-encoded; everything else gets a clear 400."""

import functools
import io
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image

from bantin.extensions import db
from bantin.models import AuditLog, Media


def image_bytes(fmt: str, size=(1200, 900), mode="RGB", color=(200, 30, 30), **save) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, fmt, **save)
    return buf.getvalue()


def jpeg_with_exif(orientation: int = 6) -> bytes:
    """A 400x200 JPEG with GPS, camera and orientation EXIF (6: rotate 90° to view)."""
    img = Image.new("RGB", (400, 200), (10, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010F] = "SpyCam Inc."  # Make
    exif[0x0131] = "Secret Software 1.0"  # Software
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (21.0, 1.0, 30.0)
    gps[3] = "E"
    gps[4] = (105.0, 51.0, 0.0)
    buf = io.BytesIO()
    img.save(buf, "JPEG", exif=exif.tobytes(), comment=b"hidden comment")
    return buf.getvalue()


@functools.cache
def png_bomb() -> bytes:
    """A 20000x20000 1-bit PNG: tiny on disk, 400 megapixels once decoded."""
    buf = io.BytesIO()
    Image.new("1", (20000, 20000), 0).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def staff(factory, login):
    user = factory.user("editor")
    login(user)
    return user


def upload(client, data: bytes | None, name="photo.jpg", content_type="image/jpeg"):
    form = {}
    if data is not None:
        form["file"] = (io.BytesIO(data), name, content_type)
    return client.post("/editor/uploads", data=form, content_type="multipart/form-data")


def stored_path(app, url: str) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / url.removeprefix("/uploads/")


@pytest.mark.parametrize(
    ("fmt", "name", "mime", "ext", "out_format"),
    [
        ("JPEG", "anh.jpg", "image/jpeg", "jpg", "JPEG"),
        ("PNG", "anh.png", "image/png", "png", "PNG"),
        ("WEBP", "anh.webp", "image/webp", "webp", "WEBP"),
        ("GIF", "anh.gif", "image/gif", "png", "PNG"),
    ],
)
def test_real_images_are_accepted_and_reencoded(
    app, client, staff, fmt, name, mime, ext, out_format
):
    mode = "P" if fmt == "GIF" else "RGB"
    color = 3 if fmt == "GIF" else (200, 30, 30)
    original = image_bytes(fmt, (2000, 1000), mode=mode, color=color)
    r = upload(client, original, name, mime)
    assert r.status_code == 201, r.get_data(as_text=True)
    data = r.get_json()
    assert data["url"].startswith("/uploads/") and data["url"].endswith(f"-800.{ext}")
    assert (data["width"], data["height"]) == (800, 400)
    assert data["original"] == {"width": 2000, "height": 1000}
    assert set(data["sizes"]) == {"320", "800", "1600"}
    assert "320w" in data["srcset"] and "1600w" in data["srcset"]
    for slot, url in data["sizes"].items():
        path = stored_path(app, url)
        assert path.exists()
        assert path.read_bytes() != original
        with Image.open(path) as stored:
            assert stored.format == out_format
            assert stored.width == int(slot)
    media = db.session.get(Media, data["id"])
    assert media.url == data["url"] and media.width == 2000 and media.widths == "320,800,1600"
    assert media.uploaded_by_id == staff.id and media.original_name == name
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "media.upload"))


def test_small_images_are_never_upscaled(app, client, staff):
    r = upload(client, image_bytes("PNG", (300, 150)), "nho.png", "image/png")
    assert r.status_code == 201
    data = r.get_json()
    assert set(data["sizes"]) == {"320", "800"}  # both slots exist; no 1600 file
    assert (data["width"], data["height"]) == (300, 150)
    for url in data["sizes"].values():
        with Image.open(stored_path(app, url)) as stored:
            assert stored.size == (300, 150)


def test_exif_is_stripped_and_orientation_applied(app, client, staff):
    raw = jpeg_with_exif(orientation=6)
    with Image.open(io.BytesIO(raw)) as check:
        assert check.getexif()[0x0112] == 6  # the fixture really carries EXIF
    r = upload(client, raw)
    assert r.status_code == 201
    data = r.get_json()
    for url in data["sizes"].values():
        stored_bytes = stored_path(app, url).read_bytes()
        assert b"Exif" not in stored_bytes
        assert b"SpyCam" not in stored_bytes and b"Secret Software" not in stored_bytes
        assert b"hidden comment" not in stored_bytes
        with Image.open(io.BytesIO(stored_bytes)) as stored:
            assert not stored.getexif()
            assert "exif" not in stored.info and "icc_profile" not in stored.info
            assert stored.height > stored.width  # 400x200 turned upright to 200x400
    assert (data["original"]["width"], data["original"]["height"]) == (200, 400)


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.txt", "hello")
    return buf.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


BAD_FILES = {
    "svg": (lambda: SVG, "logo.svg", "image/svg+xml", "không phải ảnh"),
    "html-renamed-jpg": (lambda: HTML, "photo.jpg", "image/jpeg", "không phải ảnh"),
    # A PDF is a document now (tests/test_attachments.py), but never under an image's name.
    "pdf-renamed-jpg": (lambda: PDF, "scan.jpg", "image/jpeg", "không khớp"),
    "zip": (_zip, "photos.zip", "application/zip", "không phải ảnh"),
    "bmp": (lambda: image_bytes("BMP", (10, 10)), "old.bmp", "image/bmp", "không phải ảnh"),
    "tiff-renamed-jpg": (
        lambda: image_bytes("TIFF", (10, 10)),
        "scan.jpg",
        "image/jpeg",
        "không phải ảnh",
    ),
    "png-bomb-20000x20000": (png_bomb, "bomb.png", "image/png", "quá lớn"),
    "48-megapixels": (
        lambda: image_bytes("PNG", (8000, 6000), mode="1", color=0),
        "big.png",
        "image/png",
        "quá lớn",
    ),
    "truncated-jpeg": (
        lambda: image_bytes("JPEG", (800, 600))[:1500],
        "cut.jpg",
        "image/jpeg",
        "hỏng",
    ),
    "truncated-png": (lambda: image_bytes("PNG", (800, 600))[:-40], "cut.png", "image/png", "hỏng"),
    "empty": (lambda: b"", "empty.jpg", "image/jpeg", "trống"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_files_are_refused_with_a_clear_message(app, client, staff, case):
    make, name, mime, message = BAD_FILES[case]
    r = upload(client, make(), name, mime)
    assert r.status_code == 400
    assert r.is_json
    assert message in r.get_json()["error"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Media)) == 0
    folder = Path(app.config["UPLOAD_FOLDER"])
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_missing_file_field(client, staff):
    r = upload(client, None)
    assert r.status_code == 400
    assert "Chưa chọn" in r.get_json()["error"]


def test_bomb_fixture_is_really_small():
    assert len(png_bomb()) < 200_000


def test_uploads_are_served_with_type_and_nosniff(app, client, staff):
    data = upload(client, image_bytes("JPEG")).get_json()
    png = upload(client, image_bytes("PNG"), "a.png", "image/png").get_json()
    client.post("/logout")
    anonymous = app.test_client()
    r = anonymous.get(data["url"])
    assert r.status_code == 200
    assert r.mimetype == "image/jpeg"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in r.headers["Content-Security-Policy"]
    r.close()
    r = anonymous.get(png["url"])
    assert r.mimetype == "image/png"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    r.close()


def test_upload_requires_staff(app, client):
    r = upload(client, image_bytes("JPEG"))
    assert r.status_code in (302, 303)
    assert "/login" in r.headers["Location"]


def test_store_image_for_other_callers(app, factory):
    """The settings page (logo) calls store_image() directly."""
    from werkzeug.datastructures import FileStorage

    from bantin import media

    user = factory.user("admin")
    storage = FileStorage(io.BytesIO(image_bytes("PNG", (600, 200))), "logo.png", "file")
    item = media.store_image(storage, user)
    db.session.commit()
    assert item.url.endswith("-800.png") and item.thumb_url.endswith("-320.png")
    assert stored_path(app, item.url).exists()
    with pytest.raises(media.UploadError):
        media.store_image(FileStorage(io.BytesIO(SVG), "x.svg", "file"), user)


# ---------------------------------------------------------------- the media library


def test_library_lists_sizes_uploader_and_usage(app, client, staff, factory):
    used = upload(client, image_bytes("JPEG"), "dung.jpg").get_json()
    unused = upload(client, image_bytes("PNG"), "thua.png", "image/png").get_json()
    art = factory.article(title="Bài có ảnh", body=f'<figure><img src="{used["url"]}"></figure>')
    r = client.get("/editor/media")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "dung.jpg" in page and "thua.png" in page
    assert "1200 × 900" in page
    assert staff.name in page
    assert f'/editor/articles/{art.id}/edit">Bài có ảnh</a>' in page
    assert used["sizes"]["320"] in page  # the thumbnail
    # Only the unused image offers a delete button.
    assert f"/editor/media/{unused['id']}/delete" in page
    assert f"/editor/media/{used['id']}/delete" not in page


def test_delete_unused_image_removes_files(app, client, staff):
    data = upload(client, image_bytes("JPEG")).get_json()
    r = client.post(f"/editor/media/{data['id']}/delete")
    assert r.status_code == 303
    assert db.session.get(Media, data["id"]) is None
    for url in data["sizes"].values():
        assert not stored_path(app, url).exists()
    assert db.session.scalar(sa.select(AuditLog).where(AuditLog.action == "media.delete"))


def test_delete_image_in_use_is_refused(app, client, staff, factory):
    data = upload(client, image_bytes("JPEG")).get_json()
    factory.article(cover_url=data["url"])
    r = client.post(f"/editor/media/{data['id']}/delete")
    assert r.status_code == 409
    assert "đang được dùng" in r.get_data(as_text=True)
    assert db.session.get(Media, data["id"]) is not None
    assert stored_path(app, data["url"]).exists()


def test_media_ids_out_of_range_are_404(client, staff):
    assert client.post(f"/editor/media/{2**63}/delete").status_code == 404
    assert client.post("/editor/media/999/delete").status_code == 404
