"""The application factory: a short list of register_* steps."""

import os
from pathlib import Path

from flask import Flask, current_app, request, send_from_directory
from werkzeug.middleware.proxy_fix import ProxyFix

from bantin import checks, config
from bantin.extensions import babel, csrf, db, login_manager, migrate
from bantin.web import headers, input_guard, jinja, readonly, session

HERE = Path(__file__).resolve().parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: defaults, then instance/config.py, then BANTIN_* env, then test_config."""
    # BANTIN_INSTANCE_PATH moves the instance folder (database, uploads, secret key) elsewhere.
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=os.environ.get("BANTIN_INSTANCE_PATH") or None,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(config.defaults(app.instance_path))
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        app.config.from_prefixed_env("BANTIN")
    else:
        app.config.from_mapping(test_config)
    config.ensure_secret_key(app)
    config.read_only_database(app)  # a read-only instance folder still serves readers
    config.engine_options(app)  # the driver's own connection arguments (PostgreSQL)

    register_database(app)
    headers.register(app)  # before ProxyFix wraps the WSGI app
    session.register(app)
    input_guard.register(app)
    readonly.register(app)
    register_proxy(app)
    register_extensions(app)
    register_blueprints(app)
    register_favicon(app)
    register_errorhandlers(app)
    register_commands(app)
    jinja.register(app)
    checks.refuse_unsafe_start(app)  # production servers refuse a weak setup
    return app


def register_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* only from the configured number of reverse proxies."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        # The port travels in X-Forwarded-Host (nginx sends the browser's Host, port
        # included: deploy/nginx-bantin.conf); X-Forwarded-Port is not trusted (x_port=0).
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=count, x_proto=count, x_host=count, x_port=0, x_prefix=count
        )


def _select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    chosen = request.cookies.get("lang")
    if chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def register_database(app: Flask) -> None:
    """The listeners database work goes through: SQLite's pragmas on every new connection,
    the content version on every flush, the search indexes on every article, document and
    page write. SQLAlchemy keeps them per class for the whole process; registering is
    idempotent."""
    from bantin import cache, database
    from bantin.search import index, portal

    database.register_pragmas()
    cache.register_listeners()
    index.register_listeners()
    portal.register_listeners()


def register_extensions(app: Flask) -> None:
    from bantin import auth_session

    db.init_app(app)
    migrate.init_app(app, db, directory=str(HERE / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    auth_session.init_login(app, login_manager)


def register_blueprints(app: Flask) -> None:
    from blueprints.auth import bp as auth_bp
    from blueprints.editor import bp as editor_bp
    from blueprints.public import bp as public_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(editor_bp, url_prefix="/editor")


def register_favicon(app: Flask) -> None:
    """Browsers ask every site for /favicon.ico, whatever its pages link."""

    def favicon():
        return send_from_directory(
            app.static_folder, "favicon.ico", mimetype="image/x-icon", max_age=604800
        )

    app.add_url_rule("/favicon.ico", "favicon", favicon)


def register_errorhandlers(app: Flask) -> None:
    from bantin import errors

    errors.register(app)


def register_commands(app: Flask) -> None:
    from bantin import cli

    cli.register(app)
