"""Big image uploads leave a gunicorn worker's memory as it was (issue 12 A).

A smaller run of bench/upload_memory.py: gunicorn as shipped (deploy/gunicorn.conf.py, one
worker), a signed-in editor uploads a 24-megapixel PNG and a 24-megapixel JPEG. Decoded in
the worker, these took it to ~400 MB at their peak and glibc kept much of it afterwards;
decoded in a short-lived child process the worker never holds the pixels: both its peak
(VmHWM) and its RSS afterwards stay within 150 MB of what it was before.
"""

import pytest
import sqlalchemy as sa

from bantin.extensions import db
from bantin.models import Media, Role, User
from bench.upload_memory import (
    Browser,
    big_images,
    gunicorn_worker,
    proc_status_kb,
    rss_mb,
    small_image,
)
from tests.conftest import PASSWORD, live_app_context

pytestmark = pytest.mark.live

MEGAPIXELS = 24  # 6000 x 4000, a common camera size
GROWTH_LIMIT_MB = 150


def test_two_big_uploads_leave_the_worker_small(live_server_factory):
    server = live_server_factory(workers=1, shipped_settings=True)
    with live_app_context(server):
        editor = User(email="anh@example.com", name="Biên tập ảnh", role=Role.EDITOR)
        editor.set_password(PASSWORD)
        db.session.add(editor)
        db.session.commit()
    images = big_images(MEGAPIXELS)
    worker = gunicorn_worker(server.proc.pid)
    browser = Browser(server.port)
    browser.sign_in("anh@example.com", PASSWORD, csrf=False)  # the test settings: CSRF off
    browser.upload(*small_image())  # imports and first-request caches are not growth
    before = rss_mb(worker)
    answers = [browser.upload(name, data, content_type) for name, data, content_type in images]
    after = rss_mb(worker)
    peak = proc_status_kb(worker, "VmHWM") / 1024

    assert worker == gunicorn_worker(server.proc.pid)  # the same worker, never recycled
    for answer in answers:
        assert answer["original"] == {"width": 6000, "height": 4000}
        assert set(answer["sizes"]) == {"320", "800", "1600"}
    with live_app_context(server):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Media)) == 3
    assert peak - before < GROWTH_LIMIT_MB, f"peak {peak:.0f} MB from {before:.0f} MB"
    assert after - before < GROWTH_LIMIT_MB, f"{after:.0f} MB after, {before:.0f} MB before"
