"""Command line: flask people … · flask recognize … · flask admin …  (thin, over the services)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

from webapp.errors import GlimpseError
from webapp.extensions import glimpse

people_cli = AppGroup("people", help="Enrol, list, delete and import people.")
admin_cli = AppGroup("admin", help="Admin accounts and API tokens.")
token_cli = AppGroup("token", help="API tokens for the admin endpoints.")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


def _fail(message: str) -> None:
    """Stop with a readable message and exit code 1."""
    raise click.ClickException(message)


@people_cli.command("enroll")
@click.argument("name")
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=False))
def enroll(name: str, images: tuple[str, ...]) -> None:
    """Enrol NAME from IMAGE files (the person's consent is assumed given); prints the id."""
    photos = [(path, _read(path)) for path in images]
    try:
        result = glimpse().people.enrol(name, photos, consent=True, consent_by="cli")
    except GlimpseError as exc:
        _fail(exc.message)
    for filename, reason in result.refused:
        click.echo(f"refused {filename}: {reason}", err=True)
    for filename, note in result.notes:
        click.echo(f"note {filename}: {note}", err=True)
    click.echo(result.person.id)


def _read(path: str) -> bytes:
    """File bytes, or a clean error."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        _fail(f"Cannot read {path}: {exc.strerror}.")


@people_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
def list_people(as_json: bool) -> None:
    """List everyone enrolled."""
    people = glimpse().people.list()
    if as_json:
        rows = [{"id": p.id, "name": p.name, "faces": p.face_count, "created_at": p.created_at.isoformat()}
                for p in people]
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for p in people:
        click.echo(f"{p.id}  {p.face_count:>2} face(s)  {p.name}")
    click.echo(f"{len(people)} people", err=True)


@people_cli.command("delete")
@click.argument("person_id")
def delete(person_id: str) -> None:
    """Forget a person and every trace of their face data."""
    try:
        person = glimpse().people.forget(person_id, actor="cli")
    except GlimpseError as exc:
        _fail(exc.message)
    click.echo(f"deleted {person.id} ({person.name})")


@people_cli.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def import_people(folder: Path) -> None:
    """Enrol one person per sub-folder of FOLDER (the folder name is the full name)."""
    dirs = sorted(d for d in folder.iterdir() if d.is_dir() and not d.name.startswith("."))
    enrolled, refused = 0, []
    with click.progressbar(dirs, label="Enrolling", file=sys.stderr) as bar:
        for person_dir in bar:
            files = sorted(p for p in person_dir.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            photos = [(p.name, p.read_bytes()) for p in files]
            try:
                result = glimpse().people.enrol(person_dir.name, photos, consent=True, consent_by="cli import")
            except GlimpseError as exc:
                refused.append((person_dir.name, exc.message))
                continue
            enrolled += 1
            refused += [(f"{person_dir.name}/{name}", why) for name, why in result.refused]
    click.echo(f"enrolled {enrolled} of {len(dirs)} people; refused {len(refused)} photo(s)")
    for what, why in refused:
        click.echo(f"  refused {what}: {why}")


@click.command("recognize")
@click.argument("images", nargs=-1, required=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per image.")
@with_appcontext
def recognize(images: tuple[str, ...], as_json: bool) -> None:
    """Name the faces and label the scene of each IMAGE (nothing is stored)."""
    recognizer, failed = glimpse().recognizer, False
    glimpse().people.audit("cli", "search", "", f"{len(images)} image(s) from the command line")
    for path in images:
        try:
            faces, labels = recognizer.recognise(recognizer.decode(Path(path).read_bytes()))
            row = {"image": path, "faces": [f.to_dict() for f in faces], "labels": [lb.to_dict() for lb in labels]}
        except GlimpseError as exc:
            row, failed = {"image": path, "error": exc.message}, True
        except OSError as exc:
            row, failed = {"image": path, "error": f"Cannot read the file: {exc.strerror}."}, True
        click.echo(json.dumps(row, ensure_ascii=False) if as_json else _describe(row))
    if failed:
        sys.exit(1)


def _describe(row: dict) -> str:
    """A human line for one recognised image."""
    if "error" in row:
        return f"{row['image']}: error: {row['error']}"
    names = [f["person"]["name"] if f["person"] else "Unknown" for f in row["faces"]]
    labels = ", ".join(f"{lb['name']} {lb['confidence']:.0f}" for lb in row["labels"])
    return f"{row['image']}: {len(names)} face(s) {names}; labels: {labels}"


@admin_cli.command("create")
@click.argument("username", default="admin")
@click.password_option(help="The new admin's password (asked twice if not given).")
def create_admin(username: str, password: str) -> None:
    """Create an admin account (or reset its password)."""
    try:
        glimpse().accounts.create_admin(username, password)
    except GlimpseError as exc:
        _fail(exc.message)
    click.echo(f"admin {username} is ready")


@token_cli.command("create")
@click.option("--label", default="", help="A note to recognise the token by.")
def create_token(label: str) -> None:
    """Create an API token; it is shown once and stored only as a hash."""
    token_id, token = glimpse().accounts.create_token(label)
    click.echo(f"token id {token_id}", err=True)
    click.echo(token)


@token_cli.command("revoke")
@click.argument("token_id")
def revoke_token(token_id: str) -> None:
    """Revoke an API token by its id."""
    if not glimpse().accounts.revoke_token(token_id):
        _fail(f"There is no token with id {token_id}.")
    click.echo(f"revoked {token_id}")


def init_app(app: Flask) -> None:
    """Register the command groups."""
    from webapp.aws_cli import aws_cli
    from webapp.compare_cli import compare
    from webapp.index_cli import index_cli
    from webapp.keys_cli import keys_cli
    from webapp.maintenance_cli import COMMANDS

    admin_cli.add_command(token_cli)
    admin_cli.add_command(keys_cli)
    for command in (people_cli, admin_cli, recognize, compare, index_cli, aws_cli, *COMMANDS):
        app.cli.add_command(command)
