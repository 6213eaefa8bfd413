"""Dropday: pre-save campaigns and smart links for music releases."""

from flask import Flask

from app import config as settings
from app.config import ROOT


def create_app(config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(settings.INSTANCE),
    )
    app.config.from_mapping(settings.load(config))
    register_extensions(app)
    register_blueprints(app)
    register_cli(app)
    return app


def register_extensions(app: Flask) -> None:
    from app import (
        models,  # noqa: F401  (registers the tables with the metadata)
        proxies,
        public_cache,
        request_body,
        static_files,
    )
    from app.auth.session import init_login
    from app.database import init_database
    from app.extensions import babel, compress, csrf, db, htmx, limiter, mail, migrate
    from app.fan import front as fan_front
    from app.jobs import init_jobs
    from app.languages import select_locale
    from app.media import serving as media_serving

    # WSGI layers: each wraps the ones before it, so the first is nearest to Flask. The fan
    # pages' front reads the body's limit (request_body) and the client's address (proxies).
    fan_front.init_app(app)
    request_body.init_app(app)
    proxies.init_app(app)
    public_cache.init_app(app)
    static_files.init_app(app)
    compress.init_app(app)
    db.init_app(app)
    init_database(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    mail.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )
    init_login(app)
    init_jobs(app)
    media_serving.init_app(app)


def register_blueprints(app: Flask) -> None:
    from app import errors, health, htmx_fragments, security_headers
    from app.account import bp as account_bp
    from app.api import bp as api_bp
    from app.auth import bp as auth_bp
    from app.dashboard import bp as dashboard_bp
    from app.media import views as media
    from app.workspaces import bp as workspaces_bp

    errors.init_app(app)
    htmx_fragments.init_app(app)
    security_headers.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(media.bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(dashboard_bp)
    app.register_blueprint(account_bp)
    app.register_blueprint(workspaces_bp)
    app.register_blueprint(api_bp)
    if app.config["DROPDAY_ENV"] == "development":
        # Shows every email sent, reset links included: local runs only, never production.
        from app.dev_mailbox import bp as dev_mailbox_bp

        app.register_blueprint(dev_mailbox_bp)
    if app.config["PLATFORM_MODE"] == "simulator":
        from app import clock
        from app.simulator import bp as simulator_bp

        app.register_blueprint(simulator_bp)
        clock.follow_simulator(app)
    from app.fan import bp as fan_bp

    # Last: its /<slug> is the site's catch-all for one-segment addresses.
    app.register_blueprint(fan_bp)


def register_cli(app: Flask) -> None:
    from app.cli import register

    register(app)
