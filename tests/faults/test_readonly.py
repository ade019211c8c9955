"""A read-only database (a read-only mount, wrong permissions after a restore, or a
deliberate maintenance mode): readers are served, and editing says clearly that it is
unavailable (503) instead of failing with a traceback."""

import contextlib
import io
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app import create_app
from bantin.extensions import db
from tests.conftest import PASSWORD, ROOT, Factory, free_port, make_config
from tests.faults.support import Browser, query
from tests.security.forms import parse_forms

READONLY_PAGE = "Tạm thời không thể chỉnh sửa"

pytestmark = pytest.mark.sqlite_only("a read-only SQLite file or folder")


def _sign_in(client, user_id: str) -> None:
    with client.session_transaction() as session:
        session["_user_id"] = user_id
        session["_fresh"] = True


@pytest.fixture
def prepared(app, factory, tmp_path):
    """Content written normally, then every connection closed."""
    article = factory.article(title="Bài viết đọc được")
    factory.settings(site_name="Bản tin xã")
    admin = factory.user("admin")
    data = {
        "article_path": f"/article/{article.id}/{article.slug}",
        "category_path": f"/category/{article.category.slug}",
        "article_id": article.id,
        "admin_email": admin.email,
        "admin_id": admin.get_id(),
    }
    db.session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))
    db.session.remove()
    db.engine.dispose()
    return data, tmp_path / "bantin.db"


def _check_readonly_site(ro_app, data, db_path):
    client = ro_app.test_client()
    views_before = query(db_path, "SELECT view_count FROM article")[0][0]
    for url in ("/", data["category_path"], data["article_path"], "/feed.xml", "/healthz"):
        response = client.get(url, buffered=True)
        assert response.status_code == 200, url
    article = client.get(data["article_path"]).get_data(as_text=True)
    assert "Bài viết đọc được" in article and "Bản tin xã" in article
    assert query(db_path, "SELECT view_count FROM article")[0][0] == views_before
    assert client.get("/search?q=doc").status_code == 200

    # Writes from readers: a clear 503 page.
    comment = client.post(
        f"/article/{data['article_id']}/comments",
        data={"name": "Bạn đọc", "content": "Ý kiến", "captcha": "TEST1"},
    )
    assert comment.status_code == 503
    assert READONLY_PAGE in comment.get_data(as_text=True)
    login = client.post("/login", data={"email": data["admin_email"], "password": "x"})
    assert login.status_code == 503

    # The editor: every page says editing is unavailable, and saves are refused.
    _sign_in(client, data["admin_id"])
    for url in ("/editor/", "/editor/articles", "/editor/articles/new"):
        response = client.get(url)
        assert response.status_code == 503, url
        body = response.get_data(as_text=True)
        assert READONLY_PAGE in body and "Traceback" not in body
        assert response.headers["Retry-After"]
    save = client.post("/editor/articles/new", data={"title": "Không lưu được"})
    assert save.status_code == 503
    # Signing out needs no write and still works.
    assert client.post("/logout").status_code in (302, 303)


def test_read_only_uri_serves_readers_and_refuses_editing(prepared, app_factory):
    data, db_path = prepared
    ro_app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///file:{db_path}?mode=ro&uri=true")
    with ro_app.app_context():
        _check_readonly_site(ro_app, data, db_path)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores file permissions")
def test_read_only_file_permissions(prepared, app_factory):
    data, db_path = prepared
    db_path.chmod(0o444)
    try:
        ro_app = app_factory()
        with ro_app.app_context():
            _check_readonly_site(ro_app, data, db_path)
    finally:
        db_path.chmod(0o644)


def test_writable_again_after_the_fix(prepared, app_factory):
    data, db_path = prepared
    app = app_factory()
    client = app.test_client()
    _sign_in(client, data["admin_id"])
    assert client.get("/editor/").status_code == 200


# ---------------------------------------------------------------- a read-only mount, for real
#
# A production server (gunicorn with deploy/gunicorn.conf.py, no test settings) started
# in a mount namespace where a folder is bind-mounted read-only: what a read-only mount
# or a full-disk remount does to the instance folder. This works as root, where file
# modes are no obstacle, and (with a user namespace) as any user.

STRONG_KEY = "kV3q9ZxT2bWn8LrY6pHs4dJm7cFg1aQe5uNo0iKt"


def _namespace_prefix() -> list[str]:
    base = ["unshare", "-m", "--propagation", "private"]
    if os.geteuid() != 0:
        base.insert(1, "-r")  # a user namespace grants the mount
    if shutil.which("unshare") is None:
        pytest.skip("unshare (util-linux) is missing")
    probe = subprocess.run([*base, "true"], capture_output=True, text=True, timeout=30)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a mount namespace here: {probe.stderr.strip()}")
    return base


@pytest.fixture
def instance(tmp_path, migrated_db):
    """A production instance folder: database with content, generated key, uploads."""
    folder = tmp_path / "instance"
    folder.mkdir(mode=0o750)
    shutil.copy(migrated_db, folder / "bantin.db")
    (folder / "secret_key").write_text(STRONG_KEY)
    (folder / "secret_key").chmod(0o600)
    (folder / "uploads").mkdir()
    app = create_app(make_config(folder, SECRET_KEY=STRONG_KEY))
    with app.app_context():
        factory = Factory()
        article = factory.article(title="Bài viết đọc được")
        factory.settings(site_name="Bản tin xã")
        admin = factory.user("admin", email="admin@example.com")
        with app.test_request_context():
            signer = app.session_interface.get_signing_serializer(app)
            cookie = signer.dumps({"_user_id": admin.get_id(), "_fresh": True})
        data = {
            "folder": folder,
            "article_path": f"/article/{article.id}/{article.slug}",
            "article_id": article.id,
            "session_cookie": f"session={cookie}",
        }
        db.session.remove()
        db.engine.dispose()
    assert not (folder / "bantin.db-wal").exists()  # closed cleanly, as after a stop
    return data


@contextlib.contextmanager
def _gunicorn_with_read_only(folder: Path, read_only: Path):
    """gunicorn as shipped, in production mode, with ``read_only`` mounted read-only."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANTIN_", "FLASK_"))}
    env.update(
        BANTIN_INSTANCE_PATH=str(folder),
        BANTIN_GUNICORN_BIND=f"127.0.0.1:{port}",
        BANTIN_GUNICORN_WORKERS="1",
        BANTIN_GUNICORN_ACCESSLOG="",
        BANTIN_GUNICORN_LOGLEVEL="warning",
    )
    gunicorn = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py"]
    mount = 'mount --bind -o ro "$0" "$0" && exec "$@"'
    cmd = [*_namespace_prefix(), "sh", "-c", mount, str(read_only), *gunicorn]
    log = folder.parent / "gunicorn.log"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail(f"the server did not start:\n{log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=1) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(0.05)  # readiness polling only
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def test_read_only_instance_folder_starts_and_serves_readers(instance):
    """The whole instance folder read-only (database, key, uploads): the server starts,
    readers get every page, editors the 503 notice, and nothing tries to write."""
    folder = instance["folder"]
    with _gunicorn_with_read_only(folder, folder) as (base, log):
        reader = Browser(base)
        for path in ("/", instance["article_path"], "/feed.xml", "/search?q=doc", "/login"):
            reply = reader.get(path)
            assert reply.status == 200, (path, reply.text[:300])
        page = reader.get(instance["article_path"]).text
        assert "Bài viết đọc được" in page and "Bản tin xã" in page
        assert reader.get("/static/css/site.css").status == 200

        comment = reader.post(
            f"/article/{instance['article_id']}/comments", {"name": "A", "content": "B"}
        )
        assert comment.status in (400, 503)  # no token (CSRF) or read-only: never a 500

        editor = {"Cookie": instance["session_cookie"]}
        for path in ("/editor/", "/editor/articles", "/editor/articles/new"):
            reply = reader.get(path, headers=editor)
            assert reply.status == 503, path
            assert READONLY_PAGE in reply.text and "Traceback" not in reply.text
            assert reply.headers["Retry-After"]
        assert "Bantin refuses to start" not in log.read_text()
    assert "read-only" in log.read_text()  # the operator is told why editing is off
    # Nothing was written: no journal, WAL or temporary file appeared.
    assert sorted(p.name for p in folder.iterdir()) == ["bantin.db", "secret_key", "uploads"]


def test_read_only_uploads_folder_answers_503_to_uploads(instance):
    """Only the uploads folder read-only: editing works, an upload is a 503, not a 500."""
    folder = instance["folder"]
    with _gunicorn_with_read_only(folder, folder / "uploads") as (base, _log):
        editor = Browser(base)
        login = next(f for f in parse_forms(editor.get("/login").text) if f.method == "post")
        signed_in = editor.post("/login", login.data(email="admin@example.com", password=PASSWORD))
        assert signed_in.status in (302, 303), signed_in.text[:300]
        page = editor.get("/editor/articles/new")
        assert page.status == 200
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text)
        assert token, page.text[:500]
        boundary, body = encode_multipart(
            {"file": FileStorage(io.BytesIO(_png()), "anh.png"), "csrf_token": token.group(1)}
        )
        upload = editor.request(
            "POST",
            "/editor/uploads",
            body,
            headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        )
        assert upload.status == 503, upload.text[:500]
        assert "Traceback" not in upload.text
    assert not any((folder / "uploads").rglob("*"))


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (143, 29, 29)).save(buffer, "PNG")
    return buffer.getvalue()
