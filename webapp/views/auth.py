"""Admin login and logout."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, session, url_for

from webapp.extensions import glimpse

bp = Blueprint("auth", __name__)


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
        if glimpse().accounts.check_login(username, request.form.get("password", "")):
            session.clear()
            session["admin"] = username
            return redirect(_safe_next(request.args.get("next")))
        flash("Wrong username or password.", "error")
        return render_template("auth/login.html", username=username), 401
    return render_template("auth/login.html", username="")


@bp.post("/logout")
def logout():
    """End the admin session."""
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("public.index"))
