"""The factory: configuration layers, the generated secret key, SQLite settings."""

import stat

import pytest
import sqlalchemy as sa

from app import create_app
from bantin.extensions import db


def test_secret_key_generated_once_with_private_mode(tmp_path, monkeypatch):
    monkeypatch.setenv("BANTIN_INSTANCE_PATH", str(tmp_path / "inst"))
    first = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    key_file = tmp_path / "inst" / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) == 64
    second = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_configured_secret_key_wins_and_no_file_written(tmp_path, monkeypatch):
    monkeypatch.setenv("BANTIN_INSTANCE_PATH", str(tmp_path / "inst"))
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "configured-tests-only-key-0d55e38b6c19f2a4",
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
        }
    )
    assert app.config["SECRET_KEY"] == "configured-tests-only-key-0d55e38b6c19f2a4"
    assert not (tmp_path / "inst" / "secret_key").exists()


def test_defaults_then_instance_config_then_environment(tmp_path, monkeypatch):
    inst = tmp_path / "inst"
    inst.mkdir()
    (inst / "config.py").write_text("PROXY_COUNT = 2\nBABEL_DEFAULT_LOCALE = 'en'\n")
    monkeypatch.setenv("BANTIN_INSTANCE_PATH", str(inst))
    monkeypatch.setenv(
        "BANTIN_SECRET_KEY", "environment-tests-only-key-b6c19f2a47d03be9f1c2be47a0d55e38"
    )
    monkeypatch.setenv("BANTIN_BABEL_DEFAULT_LOCALE", "vi")
    # As under the flask command: no production start-up check (tests/security/test_checks.py).
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{inst / 'bantin.db'}"
    assert app.config["UPLOAD_FOLDER"] == str(inst / "uploads")
    assert app.config["MAX_CONTENT_LENGTH"] == 16 * 1024 * 1024
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Ho_Chi_Minh"
    assert app.config["PROXY_COUNT"] == 2  # from instance/config.py
    assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"  # the environment overrides the file
    assert app.config["SECRET_KEY"] == "environment-tests-only-key-b6c19f2a47d03be9f1c2be47a0d55e38"
    assert app.config["SPAM_GUARD_ENABLED"] is True


@pytest.mark.sqlite_only("SQLite's pragmas")
def test_sqlite_pragmas_on_every_connection(app):
    with db.engine.connect() as conn:
        assert conn.execute(sa.text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(sa.text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert conn.execute(sa.text("PRAGMA busy_timeout")).scalar() >= 5000
