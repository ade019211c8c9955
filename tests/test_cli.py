"""Operator commands: create-user, seed-demo, ensure-admin."""

import pytest
import sqlalchemy as sa

from bantin.extensions import db
from bantin.models import (
    Article,
    ArticleStatus,
    Category,
    Comment,
    Media,
    MediaKind,
    Question,
    Role,
    User,
    WebLink,
)


def test_create_user_with_password(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "Thu.Ha@Example.com",
            "--name",
            "Thu  Hà",
            "--role",
            "editor",
            "--password",
            "mat-khau-dai",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalars(sa.select(User)).one()
    assert user.email == "thu.ha@example.com"
    assert user.name == "Thu Hà"
    assert user.role == Role.EDITOR
    assert user.check_password("mat-khau-dai")


def test_create_user_prompts_for_password(runner):
    result = runner.invoke(
        args=["create-user", "--email", "a@example.com", "--name", "A", "--role", "admin"],
        input="mat-khau-dai\nmat-khau-dai\n",
    )
    assert result.exit_code == 0, result.output
    assert db.session.scalars(sa.select(User)).one().check_password("mat-khau-dai")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--email", "not-an-email", "--password", "mat-khau-dai"], "Invalid email"),
        (["--email", "b@example.com", "--password", "short"], "at least 8"),
        (["--email", "b@example.com", "--password", "x" * 300], "at most 256"),
    ],
)
def test_create_user_rejects_bad_input(runner, args, message):
    result = runner.invoke(args=["create-user", "--name", "B", "--role", "editor", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_create_user_refuses_duplicate_email(runner, factory):
    factory.user(email="dup@example.com")
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "DUP@example.com",
            "--name",
            "D",
            "--role",
            "admin",
            "--password",
            "mat-khau-dai",
        ]
    )
    assert result.exit_code == 1
    assert "already exists" in result.output


def test_create_user_rejects_unknown_role(runner):
    result = runner.invoke(
        args=[
            "create-user",
            "--email",
            "r@example.com",
            "--name",
            "R",
            "--role",
            "owner",
            "--password",
            "mat-khau-dai",
        ]
    )
    assert result.exit_code == 2


def test_seed_demo_fills_an_empty_database_once(app, runner, tmp_path):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    categories = db.session.scalar(sa.select(sa.func.count(Category.id)))
    published = db.session.scalar(
        sa.select(sa.func.count(Article.id)).where(Article.status == ArticleStatus.PUBLISHED)
    )
    assert 4 <= categories <= 5
    assert published >= 15
    assert db.session.scalar(sa.select(sa.func.count(WebLink.id))) >= 3
    bodies = db.session.scalars(sa.select(Article.body)).all()
    assert all("<figcaption>" in body for body in bodies)
    # the generated photos exist in every size, the documents' files as stored
    media = db.session.scalars(sa.select(Media)).all()
    files = [item for item in media if item.kind == MediaKind.FILE]
    assert files and all(
        (tmp_path / "uploads" / f.path.removeprefix("/uploads/")).is_file() for f in files
    )
    photos = [item for item in media if item.kind == MediaKind.IMAGE]
    assert photos
    for item in photos:
        stem = item.path.removeprefix("/uploads/").removesuffix("-1600.jpg")
        for width in (320, 800, 1600):
            assert (tmp_path / "uploads" / f"{stem}-{width}.jpg").is_file()

    # Answers to readers: the office's reply under a comment, the questions page.
    replied = db.session.scalars(sa.select(Comment).where(Comment.reply != "")).all()
    assert len(replied) == 1 and replied[0].reply_by_id is None  # no staff account yet
    states = db.session.scalars(sa.select(Question.status)).all()
    assert sorted(s.value for s in states) == ["pending", "published", "published", "published"]
    page = app.test_client().get("/questions?q=bao hiem y te")
    assert page.status_code == 200 and "Làm thẻ bảo hiểm y tế cho trẻ sơ sinh" in page.text

    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 1
    assert "already has content" in again.output
    quiet = runner.invoke(args=["seed-demo", "--if-empty"])
    assert quiet.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(Category.id))) == categories
    forced = runner.invoke(args=["seed-demo", "--force"])
    assert forced.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(Category.id))) == categories * 2


def test_demo_articles_render(client, runner):
    runner.invoke(args=["seed-demo"])
    visible = db.session.scalars(sa.select(Article).where(Article.visible_clause())).all()
    for article in visible[:5]:
        response = client.get(f"/article/{article.id}/{article.slug}")
        assert response.status_code == 200
        assert article.title in response.get_data(as_text=True)
    assert client.get("/").status_code == 200


def test_ensure_admin_creates_first_admin_once(runner):
    result = runner.invoke(args=["ensure-admin"])
    assert result.exit_code == 0
    line = next(x for x in result.output.splitlines() if "password:" in x)
    password = line.split("password:")[1].strip()
    admin = db.session.scalars(sa.select(User)).one()
    assert admin.email == "admin@example.com" and admin.role == Role.ADMIN
    assert admin.check_password(password)
    second = runner.invoke(args=["ensure-admin"])
    assert "password:" not in second.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 1


# ---------------------------------------------------------------- Flask's test runner


def _commands(group, prefix=()):
    """Every registered command as its argument path, groups included."""
    import click

    for name, command in sorted(group.commands.items()):
        yield (*prefix, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.fixture
def bare_app(app_factory):
    """An app with no context pushed, as Flask's documented `test_cli_runner()` expects."""
    from flask import has_app_context

    app = app_factory()
    assert not has_app_context()
    return app


def test_every_command_has_help_under_the_test_runner(bare_app):
    paths = list(_commands(bare_app.cli))
    expected = {"backup", "check", "create-user", "ensure-admin", "purge", "restore"}
    assert expected | {"search", "seed-bench", "seed-demo"} <= {p[0] for p in paths}
    assert ("search", "reindex") in paths
    runner = bare_app.test_cli_runner()
    for path in paths:
        result = runner.invoke(args=[*path, "--help"])
        assert result.exit_code == 0, (path, result.output)
        assert "Usage:" in result.output


def test_commands_carry_their_app_context(bare_app, tmp_path):
    """No "Working outside of application context": each command pushes the app's own."""
    runner = bare_app.test_cli_runner()
    created = runner.invoke(
        args=[
            "create-user",
            "--email",
            "ops@example.com",
            "--name",
            "Vận hành",
            "--role",
            "admin",
            "--password",
            "mat-khau-dai",
        ]
    )
    assert created.exit_code == 0, created.output
    assert "Created admin ops@example.com." in created.output
    again = runner.invoke(args=["ensure-admin"])
    assert again.exit_code == 0, again.output
    assert "Users already exist" in again.output
    for args in (["purge"], ["search", "reindex"], ["seed-demo", "--if-empty"]):
        result = runner.invoke(args=args)
        assert result.exit_code == 0, (args, result.output)
    backup = runner.invoke(args=["backup", str(tmp_path / "copy.db")])
    assert backup.exit_code == 0, backup.output
    check = runner.invoke(args=["check"])
    assert "Bantin deployment check" in check.output
    with bare_app.app_context():
        user = db.session.scalars(sa.select(User)).one()
        assert user.email == "ops@example.com" and user.role == Role.ADMIN
        assert db.session.scalar(sa.select(sa.func.count(Article.id))) > 0
