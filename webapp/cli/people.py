"""flask people enroll · list · delete · import (thin, over the people service)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from webapp.cli.common import fail, read_file
from webapp.errors import GlimpseError
from webapp.extensions import app_services

people_cli = AppGroup("people", help="Enrol, list, delete and import people.")
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}


@people_cli.command("enroll")
@click.argument("name")
@click.argument("images", nargs=-1, required=True, type=click.Path(dir_okay=False))
def enrol(name: str, images: tuple[str, ...]) -> None:
    """Enrol NAME from IMAGE files (the person's consent is assumed given); prints the id."""
    photos = [(path, read_file(path)) for path in images]
    try:
        result = app_services().people.enrol(name, photos, consent=True, consent_by="cli")
    except GlimpseError as exc:
        fail(exc.message)
    for filename, reason in result.refused:
        click.echo(f"refused {filename}: {reason}", err=True)
    for filename, note in result.notes:
        click.echo(f"note {filename}: {note}", err=True)
    click.echo(result.person.id)


@people_cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON array instead of a table.")
def list_people(as_json: bool) -> None:
    """List everyone enrolled."""
    people = app_services().people.list()
    if as_json:
        click.echo(json.dumps([p.to_cli_dict() for p in people], ensure_ascii=False))
        return
    for p in people:
        click.echo(f"{p.id}  {p.face_count:>2} face(s)  {p.name}")
    click.echo(f"{len(people)} people", err=True)


@people_cli.command("delete")
@click.argument("person_id")
def delete(person_id: str) -> None:
    """Forget a person and every trace of their face data."""
    try:
        person = app_services().people.forget(person_id, actor="cli")
    except GlimpseError as exc:
        fail(exc.message)
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
                result = app_services().people.enrol(person_dir.name, photos, consent=True, consent_by="cli import")
            except GlimpseError as exc:
                refused.append((person_dir.name, exc.message))
                continue
            enrolled += 1
            refused += [(f"{person_dir.name}/{name}", why) for name, why in result.refused]
    click.echo(f"enrolled {enrolled} of {len(dirs)} people; refused {len(refused)} photo(s)")
    for what, why in refused:
        click.echo(f"  refused {what}: {why}")
