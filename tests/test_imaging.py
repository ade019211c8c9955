"""The image child process (bantin.imaging) and how bantin.media runs it.

Decoding takes no more than the stored sizes need (JPEG draft, strip-wise reduce), gives the
same pixels as whole-frame processing, and a child that fails, hangs or cannot start is
a clear answer, never a broken worker. The memory it saves: tests/test_upload_memory.py.
"""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from bantin import imaging, media


@pytest.fixture
def staff(factory, login):
    user = factory.user("editor")
    login(user)
    return user


def upload(client, data: bytes, name: str, content_type: str):
    form = {"file": (io.BytesIO(data), name, content_type)}
    return client.post("/editor/uploads", data=form, content_type="multipart/form-data")


def jpeg(size, orientation: int | None = None) -> bytes:
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    buffer = io.BytesIO()
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(buffer, "JPEG", quality=70, exif=exif.tobytes())
    return buffer.getvalue()


def stored(app, url: str) -> Image.Image:
    return Image.open(Path(app.config["UPLOAD_FOLDER"]) / url.removeprefix("/uploads/"))


def test_a_big_jpeg_is_decoded_at_the_smallest_scale_still_1600_wide():
    image, fmt, width, height, orientation = imaging._decode(jpeg((6400, 4000)))
    assert (fmt, width, height, orientation) == ("JPEG", 6400, 4000, 1)
    assert image.size == (1600, 1000)  # libjpeg's 1/4 scale: 16 times fewer pixels


def test_a_turned_jpeg_is_drafted_by_its_upright_width(app, client, staff):
    """8000x3200 turned upright (EXIF 6) is 3200 wide: a 1/2 scale, not the 1/4 that the
    stored width would allow if the sides were not swapped (which would upscale)."""
    data = jpeg((8000, 3200), orientation=6)
    image, _, width, height, _ = imaging._decode(data)
    assert (width, height) == (3200, 8000) and image.size == (4000, 1600)
    answer = upload(client, data, "doc.jpg", "image/jpeg").get_json()
    assert answer["original"] == {"width": 3200, "height": 8000}
    for slot, url in answer["sizes"].items():
        with stored(app, url) as file:
            assert file.size == (int(slot), int(slot) * 8000 // 3200)


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "P", "LA", "1"])
def test_strips_give_the_same_pixels_as_the_whole_frame(mode):
    source = Image.effect_noise((1003, 2011), 60).convert("RGB").resize((1003, 2011))
    if mode == "RGBA":
        source = source.convert("RGBA")
        source.putalpha(Image.linear_gradient("L").resize(source.size))
    elif mode == "LA":
        source = source.convert("LA")
    elif mode in {"P", "1"}:
        source = source.convert(mode)
    target = "RGBA" if mode in {"RGBA", "LA"} else "RGB"
    imaging_strip = imaging.STRIP_PIXELS
    try:
        imaging.STRIP_PIXELS = 50_000  # many strips, the last one short
        strips = imaging._shrunk(source, 3, target)
    finally:
        imaging.STRIP_PIXELS = imaging_strip
    whole = source.convert(target).reduce(3)
    assert strips.size == whole.size == (335, 671)
    assert ImageChops.difference(strips, whole).getbbox() is None


def test_palette_indices_are_never_averaged(app, client, staff):
    """Columns of transparent (index 0) and blue (index 2): averaged as indices they would
    make index 1, red. Reduced as colours they make half-transparent blue."""
    image = Image.new("P", (3300, 40), 0)
    image.putpalette([0, 0, 0, 255, 0, 0, 0, 0, 255] + [0] * 759)
    for x in range(1, 3300, 2):
        image.paste(2, (x, 0, x + 1, 40))
    buffer = io.BytesIO()
    image.save(buffer, "PNG", transparency=0)
    answer = upload(client, buffer.getvalue(), "soc.png", "image/png").get_json()
    with stored(app, answer["sizes"]["1600"]) as file:
        assert file.mode == "RGBA"
        red, _, blue, alpha = (band.getextrema() for band in file.split())
        assert red == (0, 0) and blue[1] == 255 and 100 < alpha[0] <= alpha[1] < 160


def test_the_work_runs_in_a_child_without_the_app_settings(app, client, staff, monkeypatch):
    monkeypatch.setenv("BANTIN_SECRET_KEY", "never-shown-to-the-image-child-0123456789")
    calls = []
    real_run = subprocess.run

    def spy(cmd, **kw):
        calls.append((cmd, kw))
        return real_run(cmd, **kw)

    monkeypatch.setattr(subprocess, "run", spy)
    answer = upload(client, jpeg((2000, 1000)), "a.jpg", "image/jpeg").get_json()
    assert answer["original"] == {"width": 2000, "height": 1000}
    [(cmd, kw)] = calls
    assert cmd == [sys.executable, "-P", imaging.__file__]
    assert not [key for key in kw["env"] if key.startswith("BANTIN_")]
    assert kw["timeout"] == media.CHILD_SECONDS


@pytest.mark.parametrize(
    "outcome",
    [
        subprocess.CompletedProcess([], -9, b"", b"Killed"),  # out of memory, a crash
        subprocess.CompletedProcess([], 0, b"garbage", b""),
        subprocess.CompletedProcess([], 0, b'{"format": "BMP", "files": []}\n', b""),
        subprocess.TimeoutExpired([], media.CHILD_SECONDS),
    ],
    ids=["killed", "no-header", "bad-format", "timeout"],
)
def test_a_failed_child_is_a_clear_refusal(app, client, staff, monkeypatch, outcome):
    def fake(cmd, **kw):
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    monkeypatch.setattr(subprocess, "run", fake)
    r = upload(client, jpeg((400, 300)), "a.jpg", "image/jpeg")
    assert r.status_code == 400
    assert "Không xử lý được ảnh này" in r.get_json()["error"]
    assert not [p for p in Path(app.config["UPLOAD_FOLDER"]).rglob("*") if p.is_file()]


def test_one_image_at_a_time_per_worker_then_busy(app, client, staff, monkeypatch):
    monkeypatch.setattr(media, "TURN_WAIT_SECONDS", 0)
    assert media._IMAGE_TURN.acquire(timeout=1)  # another thread is working on an image
    try:
        r = upload(client, jpeg((400, 300)), "a.jpg", "image/jpeg")
    finally:
        media._IMAGE_TURN.release()
    assert r.status_code == 503 and "đang bận" in r.get_json()["error"]
    assert upload(client, jpeg((400, 300)), "a.jpg", "image/jpeg").status_code == 201


def test_without_an_interpreter_to_start_the_work_is_done_here(app, client, staff, monkeypatch):
    monkeypatch.setattr(sys, "executable", "/nonexistent/python3")
    r = upload(client, jpeg((2000, 1000)), "a.jpg", "image/jpeg")
    assert r.status_code == 201
    assert r.get_json()["original"] == {"width": 2000, "height": 1000}
