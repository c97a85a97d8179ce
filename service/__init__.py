"""BenchShare: booking shared vocational training equipment."""

from __future__ import annotations

from flask import Flask

from . import api, config, db, errors, health, http, i18n, logs, page_headers


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app from the environment, then `overrides` (tests pass their database here)."""
    app = Flask(__name__)
    app.config.update(config.from_env())
    app.config.update(overrides or {})
    app.json.sort_keys = False
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        from . import embedded

        app.config["SQLALCHEMY_DATABASE_URI"] = embedded.start(app.config["DATA_DIR"])

    from .accounts import auth, passwords
    from .accounts.routes import blp as accounts_blp
    from .audit import recording as audit_recording
    from .audit.routes import blp as audit_blp
    from .catalogue.routes import blp as catalogue_blp
    from .classes.routes import blp as classes_blp  # classes
    from .idle.routes import blp as idle_blp
    from .impact.routes import blp as impact_blp
    from .imports.routes import blp as imports_blp  # imports
    from .notifications.routes import blp as notifications_blp
    from .offers import terms as offer_terms
    from .offers.routes import blp as offers_blp
    from .outcomes.routes import blp as outcomes_blp
    from .practice.routes import blp as practice_blp
    from .qualifications.routes import blp as qualifications_blp
    from .reports.routes import blp as reports_blp
    from .reservations.attendance_routes import blp as attendance_blp
    from .reservations.judging_routes import blp as judging_blp
    from .reservations.routes import blp as reservations_blp
    from .reservations.series_routes import blp as series_blp
    from .signon.routes import blp as signon_blp

    logs.init_app(app)
    i18n.init_app(app)
    db.init_app(app)
    audit_recording.install()
    offer_terms.install()
    passwords.configure(app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_KIB"])
    # Installed first so that it runs last: after_request hooks run in reverse, and
    # http's may replace an answer (a stale read's 412).
    page_headers.init_app(app)
    http.init_app(app)
    auth.init_app(app)
    api.init_app(app, [accounts_blp, catalogue_blp, qualifications_blp, reservations_blp,
                       series_blp, offers_blp, outcomes_blp, impact_blp, reports_blp,
                       notifications_blp, idle_blp, attendance_blp, practice_blp, audit_blp,
                       judging_blp, imports_blp, signon_blp, classes_blp])
    app.register_blueprint(health.blp)
    from . import observability  # metrics: /metrics, the pool's gauges, bookings at commit

    observability.init_app(app)
    from .dashboard.routes import blp as dashboard_blp

    app.register_blueprint(dashboard_blp)
    from .webapp.routes import blp as webapp_blp

    app.register_blueprint(webapp_blp)
    # access: accounts write invitations and password links through the outbox of
    # notifications, which sits above them (notifications reads users).
    from .accounts.invitations import OUTBOX
    from .notifications.letters import post_letters

    app.extensions[OUTBOX] = post_letters
    # signon: whether an organisation still lets its people in with a password.
    from .accounts.sign_in_policy import ANSWER
    from .signon.services import password_sign_in_allowed

    app.extensions[ANSWER] = password_sign_in_allowed
    errors.init_app(app)
    return app
