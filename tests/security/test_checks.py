"""The deployment self-check: `flask check`, and production servers refusing a weak setup."""

import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

import click
import pytest

from app import create_app
from bantin.checks import Level, UnsafeDeployment, run_checks, secret_key_problem
from tests.conftest import ON_POSTGRESQL, ROOT, free_port, make_config

STRONG = secrets.token_hex(32)


@pytest.fixture(autouse=True)
def _not_under_flask_cli(monkeypatch):
    monkeypatch.delenv("FLASK_RUN_FROM_CLI", raising=False)


@pytest.fixture
def prod_config(tmp_path, migrated_db, monkeypatch):
    """Production-like settings on a migrated database in a private instance folder."""
    instance = tmp_path / "instance"
    instance.mkdir(mode=0o750)
    instance.chmod(0o750)
    monkeypatch.setenv("BANTIN_INSTANCE_PATH", str(instance))
    if not ON_POSTGRESQL:
        shutil.copy(migrated_db, instance / "bantin.db")

    def build(**overrides):
        config = make_config(
            instance,
            TESTING=False,
            SECRET_KEY=STRONG,
            WTF_CSRF_ENABLED=True,
            SPAM_GUARD_ENABLED=True,
            SESSION_COOKIE_SECURE=True,
            REMEMBER_COOKIE_SECURE=True,
            PROXY_COUNT=1,
        )
        config.pop("CAPTCHA_TEST_ANSWER")
        config.update(overrides)
        return config

    build.instance = instance
    return build


@pytest.mark.parametrize(
    "key",
    [
        "dev",
        "changeme",
        "secret",
        "Change-Me-Please-Now-1234567890abcdef",
        "short-but-random-7f3a",
        "a" * 64,
        "ab" * 32,
        "",
        None,
    ],
)
def test_weak_secret_keys(key):
    assert secret_key_problem(key) is not None


# Fixed values: keys drawn at collection time made the test depend on luck.
RANDOM_LOOKING_TEXT = "kV3q9ZxT2bWn8LrY6pHs4dJm7cFg1aQe5uNo0iKt"
RANDOM_LOOKING_BYTES = bytes.fromhex(
    "9f1c2be47a0d55e38b6c19f2a47d03be6e51c8a92f7b04d1e63a58c0b2d7f419"
)


@pytest.mark.parametrize("key", [STRONG, RANDOM_LOOKING_TEXT, RANDOM_LOOKING_BYTES])
def test_strong_secret_keys(key):
    assert secret_key_problem(key) is None


@pytest.mark.parametrize("key", ["dev", "changeme", "secret", "x" * 20])
def test_production_server_refuses_weak_key(prod_config, key):
    with pytest.raises(UnsafeDeployment, match="secret_key"):
        create_app(prod_config(SECRET_KEY=key))


@pytest.mark.sqlite_only("SQLite's WAL, quick_check or file")
def test_good_production_config_starts_and_reports_no_error(prod_config):
    app = create_app(prod_config())
    findings = run_checks(app)
    assert [f for f in findings if f.level is Level.ERROR] == []
    names = {f.name for f in findings if f.level is Level.OK}
    assert {"secret_key", "cookies", "wal", "schema", "integrity", "max_content_length"} <= names


def test_generated_instance_key_counts_as_strong(prod_config):
    config = prod_config()
    del config["SECRET_KEY"]
    app = create_app(config)  # generates instance/secret_key (0600)
    key_file = Path(app.instance_path) / "secret_key"
    assert app.config["SECRET_KEY"] == key_file.read_text().strip()
    findings = [f for f in run_checks(app) if f.name == "secret_key"]
    assert [f.level for f in findings] == [Level.OK]


@pytest.mark.parametrize("mode", [{"TESTING": True}, {"DEBUG": True}, {}])
def test_no_mode_switches_off_the_weak_key_check(prod_config, mode):
    """A session cookie forged with a known key is an admin: TESTING and DEBUG change nothing."""
    with pytest.raises(UnsafeDeployment, match="secret_key"):
        create_app(prod_config(SECRET_KEY="dev", **mode))


def test_testing_and_debug_start_with_a_warning_and_skip_the_other_checks(prod_config, caplog):
    for mode in ({"TESTING": True}, {"DEBUG": True}):
        caplog.clear()
        # CSRF off is an error for production; in these modes only the key is enforced.
        app = create_app(prod_config(WTF_CSRF_ENABLED=False, **mode))
        assert app.config["WTF_CSRF_ENABLED"] is False
        assert any("TESTING or DEBUG is on" in r.getMessage() for r in caplog.records)


def test_flask_commands_that_do_not_serve_load_with_a_weak_key(prod_config, monkeypatch):
    """`flask check` must load to report the weak key; `flask run` must refuse it."""
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    app = create_app(prod_config(SECRET_KEY="dev"))
    assert app.config["SECRET_KEY"] == "dev"
    run = click.Command("run")
    with click.Context(run), pytest.raises(UnsafeDeployment, match="secret_key"):
        create_app(prod_config(SECRET_KEY="dev"))


def test_missing_or_old_database_refuses_with_the_fix(prod_config, tmp_path):
    with pytest.raises(UnsafeDeployment, match="db upgrade"):
        create_app(prod_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'none.db'}"))


@pytest.mark.sqlite_only("SQLite's WAL, quick_check or file")
def test_check_command_reports_and_fails_on_errors(prod_config, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    app = create_app(prod_config(SECRET_KEY="changeme", SESSION_COOKIE_SECURE=False, PROXY_COUNT=0))
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    out = result.output
    assert "[ERROR] secret_key: SECRET_KEY is a well-known placeholder" in out
    assert "[ WARN] cookies: SESSION_COOKIE_SECURE" in out
    assert "[ WARN] proxy_count" in out
    assert "[  ok ] wal" in out and "[  ok ] integrity" in out
    assert "1 error(s)" in out


def test_check_command_passes_a_good_setup(prod_config, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    app = create_app(prod_config())
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 0, result.output
    assert "0 error(s), 0 warning(s)." in result.output


@pytest.mark.sqlite_only("SQLite's WAL, quick_check or file")
def test_check_finds_a_damaged_database(prod_config, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    config = prod_config()
    db_file = prod_config.instance / "bantin.db"
    data = bytearray(db_file.read_bytes())
    page = 4096
    for offset in range(2 * page, len(data) - page, page):  # trash every b-tree page header
        data[offset : offset + 16] = b"\xde\xad\xbe\xef" * 4
    db_file.write_bytes(bytes(data))
    app = create_app(config)
    result = app.test_cli_runner().invoke(args=["check"])
    assert result.exit_code == 1
    assert "[ERROR] integrity" in result.output or "[ERROR] database" in result.output


def test_world_writable_instance_and_unwritable_uploads(prod_config, monkeypatch):
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    prod_config.instance.chmod(0o777)
    app = create_app(prod_config())
    findings = {f.name: f for f in run_checks(app)}
    assert findings["instance"].level is Level.ERROR


def _env(instance: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BANTIN_", "FLASK_"))}
    env.update(
        BANTIN_INSTANCE_PATH=str(instance),
        BANTIN_SQLALCHEMY_DATABASE_URI=f"sqlite:///{instance / 'bantin.db'}",
        **extra,
    )
    return env


@pytest.mark.sqlite_only("SQLite's WAL, quick_check or file")
def test_flask_check_from_the_shell(prod_config):
    """The operator's command: `flask --app app check`, settings from BANTIN_* variables."""
    instance = prod_config.instance
    flask = [sys.executable, "-m", "flask", "--app", "app", "check"]
    weak = subprocess.run(
        flask,
        cwd=ROOT,
        env=_env(instance, BANTIN_SECRET_KEY="dev"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert weak.returncode == 1, weak.stdout + weak.stderr
    assert "[ERROR] secret_key" in weak.stdout
    good = subprocess.run(
        flask, cwd=ROOT, env=_env(instance), capture_output=True, text=True, timeout=60
    )
    assert good.returncode == 0, good.stdout + good.stderr
    assert "[  ok ] secret_key: generated key" in good.stdout


def test_gunicorn_refuses_to_start_with_a_weak_key(prod_config):
    """A real production start: gunicorn exits non-zero and says why."""
    instance = prod_config.instance
    cmd = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "deploy/gunicorn.conf.py",
        "--bind",
        f"127.0.0.1:{free_port()}",
        "--workers",
        "1",
    ]
    proc = subprocess.run(
        cmd,
        cwd=ROOT,
        env=_env(instance, BANTIN_SECRET_KEY="changeme"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert "Bantin refuses to start" in proc.stderr
    assert "secret_key" in proc.stderr


def test_scratch_copies_for_restore_checks_skip_the_deploy_checks_but_not_the_key(
    prod_config, tmp_path
):
    """`restore` builds scratch apps on scratch files (a reference schema, a smoke-test copy)
    from a running app's settings; they never serve, but a weak key still stops them."""
    from bantin.checks import building_scratch_app

    scratch = prod_config(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'scratch.db'}")
    with building_scratch_app():
        create_app(scratch)  # no database yet: the deploy checks would refuse it
        with pytest.raises(UnsafeDeployment, match="secret_key"):
            create_app({**scratch, "SECRET_KEY": "changeme"})
    with pytest.raises(UnsafeDeployment, match="db upgrade"):
        create_app(scratch)


def test_check_warns_when_nobody_counts_the_views_log(prod_config, monkeypatch, tmp_path):
    """nginx's microcache logs views for bantin-views; a log left unread is reported."""
    monkeypatch.setenv("FLASK_RUN_FROM_CLI", "true")
    log = tmp_path / "bantin.views.log"
    app = create_app(prod_config(VIEWS_LOG_PATH=str(log)))
    runner = app.test_cli_runner()
    assert "[  ok ] view_log: no " in runner.invoke(args=["check"]).output
    log.write_text("1765084800.123\tHIT\tGET\t200\tpage\t\tMozilla/5.0\n")
    old = time.time() - 3600
    os.utime(log, (old, old))
    result = runner.invoke(args=["check"])
    assert result.exit_code == 0, result.output  # a warning, not an error
    assert f"[ WARN] view_log: {log.stat().st_size} bytes of" in result.output
    assert "is bantin-views running?" in result.output
    assert "1 lines read" in runner.invoke(args=["count-views", "--log", str(log)]).output
    result = runner.invoke(args=["check"])
    assert "[  ok ] view_log: " in result.output and "within 0 bytes" in result.output
