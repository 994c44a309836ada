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


@people_cli.command("suggest")
@click.option("--json", "as_json", is_flag=True, help="One JSON array of clusters instead of lines.")
@click.option("--limit", default=50, show_default=True)
def suggest(as_json: bool, limit: int) -> None:
    """Groups of unknown faces worth enrolling, biggest first (enrol them on the admin page or by the API)."""
    clusters = app_services().unknown.clusters(limit)
    if as_json:
        click.echo(json.dumps([c.to_dict() for c in clusters]))
        return
    for c in clusters:
        analyses = sorted({f.analysis_id for f in c.faces})
        click.echo(f"{c.id}  {c.size:>3} photo(s)  e.g. /analyses/{analyses[0]}")
    click.echo(f"{len(clusters)} group(s) of unknown faces", err=True)


@people_cli.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Show what would be created and added; change nothing.")
def import_people(folder: Path, dry_run: bool) -> None:
    """One person per sub-folder of FOLDER (its name is the full name); re-running adds only what is missing."""
    importer = app_services().importer
    plans = importer.plan(folder)
    if dry_run:
        for plan in plans:
            click.echo(f"would {plan.describe()}")
        return
    added, refused = 0, []
    with click.progressbar(plans, label="Importing", file=sys.stderr) as bar:
        for plan in bar:
            if plan.skipped:
                click.echo(f"skipped {len(plan.skipped)} photo(s) of {plan.name} imported before", err=True)
            try:
                outcome = importer.run(plan, consent_by="cli import")
            except GlimpseError as exc:
                refused.append((plan.name, exc.message))
                continue
            added += outcome.added
            refused += [(f"{plan.name}/{name}", why) for name, why in outcome.refused]
    click.echo(f"{len(plans)} folder(s): added {added} face(s); refused {len(refused)}")
    for what, why in refused:
        click.echo(f"  refused {what}: {why}")
