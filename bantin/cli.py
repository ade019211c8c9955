"""flask CLI commands for operators: users and demo content (more join per concern)."""

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext

from bantin import audit, autosave, backup, checks
from bantin.benchdata import seed_bench_command
from bantin.comments import purge_command as comments_purge_command
from bantin.copy_to import copy_to_command
from bantin.extensions import db
from bantin.mail.cli import mail_cli
from bantin.models import Role, User
from bantin.models.user import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from bantin.official_documents_import import documents_cli
from bantin.search import search_cli
from bantin.text import clean_line, normalise_email
from bantin.two_factor import reset_command as two_factor_reset_command
from bantin.view_log import count_views_command


def password_problem(password: str) -> str | None:
    if len(password) < PASSWORD_MIN_LENGTH:
        return f"Password must have at least {PASSWORD_MIN_LENGTH} characters."
    if len(password) > PASSWORD_MAX_LENGTH:
        return f"Password must have at most {PASSWORD_MAX_LENGTH} characters."
    return None


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--password", help="Prompted for (hidden, twice) when not given.")
def create_user_command(email: str, name: str, role: str, password: str | None) -> None:
    """Create an admin or editor account."""
    try:
        email = normalise_email(email)
    except ValueError as exc:
        raise click.ClickException(f"Invalid email: {exc}") from exc
    if db.session.scalar(sa.select(User.id).where(User.email == email)) is not None:
        raise click.ClickException(f"A user with the email {email} already exists.")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password)
    if problem:
        raise click.ClickException(problem)
    user = User(email=email, name=clean_line(name) or email, role=Role(role))
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {role} {email}.")


@click.command("seed-demo")
@click.option("--force", is_flag=True, help="Add the demo content even if content exists.")
@click.option("--if-empty", is_flag=True, help="Skip quietly (exit 0) when content exists.")
def seed_demo_command(force: bool, if_empty: bool) -> None:
    """Fill an empty database with the demo office's content."""
    from bantin import demo

    if demo.has_content() and not force:
        if if_empty:
            click.echo("The database already has content; demo content not added.")
            return
        raise click.ClickException(
            "The database already has content; use --force to add the demo content anyway."
        )
    summary = demo.seed()
    click.echo(
        f"Demo content added: {summary['categories']} categories, "
        f"{summary['articles']} articles, {summary['links']} web links."
    )


@click.command("ensure-admin")
@click.option("--email", default="admin@example.com", show_default=True)
def ensure_admin_command(email: str) -> None:
    """Create a first admin with a random password, printed once, if no user exists."""
    import secrets

    if db.session.scalar(sa.select(sa.func.count(User.id))):
        click.echo("Users already exist; no admin created.")
        return
    password = secrets.token_urlsafe(12)
    user = User(email=email, name="Quản trị viên", role=Role.ADMIN)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo("=" * 60)
    click.echo("First admin created. Sign in at /login with:")
    click.echo(f"  email:    {email}")
    click.echo(f"  password: {password}")
    click.echo("This password is shown once: write it down or change it after signing in.")
    click.echo("=" * 60)


@click.command("purge")
@click.pass_context
def purge_command(ctx: click.Context) -> None:
    """Forget old commenters' IPs, delete old captcha rows and autosaves older than 30 days,
    and audit entries older than AUDIT_KEEP_DAYS."""
    ctx.invoke(comments_purge_command)
    deleted = autosave.purge()
    db.session.commit()
    click.echo(f"Deleted {deleted} autosaves older than 30 days.")
    if audit.keep_days():
        deleted = audit.purge()
        click.echo(f"Deleted {deleted} audit entries older than {audit.keep_days()} days.")


def carry_app_context(command: click.Command) -> click.Command:
    """Wrap the command (and a group's subcommands) in `with_appcontext`, once.

    The `flask` command pushes an app context itself, but Flask's documented test runner
    (`app.test_cli_runner().invoke(...)`) does not: plain click commands then fail with
    "Working outside of application context".
    """
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            carry_app_context(sub)
    callback = command.callback
    if callback is not None and not getattr(callback, "_bantin_app_context", False):
        wrapped = with_appcontext(callback)
        wrapped._bantin_app_context = True  # type: ignore[attr-defined]
        command.callback = wrapped
    return command


def register(app: Flask) -> None:
    for command in (
        create_user_command,
        seed_demo_command,
        ensure_admin_command,
        seed_bench_command,
        search_cli,
        purge_command,
        documents_cli,
        mail_cli,
        two_factor_reset_command,
        copy_to_command,
        count_views_command,
    ):
        app.cli.add_command(command)
    backup.register(app)  # backup, restore
    checks.register(app)  # check
    for command in app.cli.commands.values():
        carry_app_context(command)
