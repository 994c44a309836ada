"""Admin login and logout."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for

from webapp.errors import TooManyAttempts
from webapp.extensions import app_services
from webapp.services.throttle import LoginThrottle

bp = Blueprint("auth", __name__)


def _throttle() -> LoginThrottle:
    """The app's login throttle (one per worker process)."""
    throttle: LoginThrottle = current_app.extensions["login_throttle"]
    return throttle


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after login (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("admin.people")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Show the login form; on success start an admin session."""
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        keys = (f"ip:{request.remote_addr}", f"user:{username.lower()}")
        wait = _throttle().retry_after(*keys)
        if wait:
            raise TooManyAttempts(f"Too many failed logins. Try again in {max(1, round(wait / 60))} minute(s).")
        if app_services().accounts.check_login(username, request.form.get("password", "")):
            _throttle().succeeded(*keys)
            visitor = session.get("visitor")  # the visitor's own history survives logging in
            session.clear()
            session["admin"] = username
            if visitor:
                session["visitor"] = visitor
            return redirect(_safe_next(request.args.get("next")))
        _throttle().failed(*keys)
        flash("Wrong username or password.", "error")
        return render_template("auth/login.html", username=username), 401
    return render_template("auth/login.html", username="")


@bp.post("/logout")
def logout():
    """End the admin session."""
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("public.index"))
