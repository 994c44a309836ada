"""kill -9 in the middle of an enrolment or a forget, then `flask doctor --repair`."""
import signal
import subprocess
import sys
import textwrap
from datetime import timedelta
from pathlib import Path

from tests.conftest import BLUE, RED, build_fake_backend
from tests.fakes import make_photo
from webapp.config import load_settings
from webapp.extensions import AppServices

ROOT = Path(__file__).resolve().parents[2]


def _services(data_dir) -> AppServices:
    settings = load_settings(environ={}, overrides={"data_dir": data_dir, "secret_key": "t"})
    return AppServices.build(settings, build_fake_backend(data_dir))


def _killed_while(data_dir, action: str, step: str) -> int:
    """Run `action` in a child process that SIGKILLs itself when it reaches `step`."""
    script = textwrap.dedent(f"""
        import os, signal, sys
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from tests.services.test_crash_recovery import _services
        services = _services(Path({str(data_dir)!r}))
        obj = services.backend.{step.rsplit(".", 1)[0]}
        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        setattr(obj, {step.rsplit(".", 1)[1]!r}, die)
        {action}
    """)
    return subprocess.run([sys.executable, "-c", script], cwd=ROOT).returncode


def _consistent(services) -> bool:
    services.doctor.grace = timedelta(0)
    return services.doctor.check().ok


def test_kill_during_enrolment_leaves_only_what_the_doctor_removes(data_dir, tmp_path):
    services = _services(data_dir)
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t").person
    photo = tmp_path / "bob.png"
    photo.write_bytes(make_photo(BLUE))
    action = f"services.people.enrol('Bob', [('b.png', Path({str(photo)!r}).read_bytes())], True, 't')"
    assert _killed_while(data_dir, action, "people.add_face") == -signal.SIGKILL
    services.doctor.grace = timedelta(0)
    report = services.doctor.check()
    assert len(report.orphan_faceprints) == 1 and len(report.faceless_people) == 1
    services.doctor.repair(report)
    assert _consistent(services)
    assert [p.id for p in services.people.list()] == [ada.id]
    assert services.backend.store.list("people") == sorted(
        [f.image_key for f in services.people.faces(ada.id)] + [f.crop_key for f in services.people.faces(ada.id)])


def test_kill_during_forget_hides_the_person_at_once_and_doctor_finishes(data_dir, tmp_path):
    services = _services(data_dir)
    ada = services.people.enrol("Ada", [("a.png", make_photo(RED)), ("b.png", make_photo(RED))], True, "t").person
    bob = services.people.enrol("Bob", [("c.png", make_photo(BLUE))], True, "t").person
    action = f"services.people.forget({ada.id!r})"
    assert _killed_while(data_dir, action, "faces.delete") == -signal.SIGKILL
    assert [p.id for p in services.people.list()] == [bob.id]  # no half-deleted person is visible
    services.doctor.grace = timedelta(0)
    report = services.doctor.check()
    assert len(report.orphan_faceprints) == 2 and len(report.orphan_images) == 4
    services.doctor.repair(report)
    assert _consistent(services)
    assert not any(ada.id in key for key in services.backend.store.list())


def test_doctor_reports_then_repairs_through_the_cli(runner, services, backend):
    person = services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t").person
    backend.faces.index(services.recognizer.decode(make_photo(BLUE)),
                        backend.faces.detect(services.recognizer.decode(make_photo(BLUE)))[0], "0" * 32)
    backend.store.put(f"people/{'1' * 32}/{'2' * 32}.jpg", b"x", "image/jpeg")
    checked = runner.invoke(args=["doctor", "--grace-minutes", "0"])
    assert checked.exit_code == 1
    assert "1 faceprint(s) without a person" in checked.output and "1 stored image(s)" in checked.output
    repaired = runner.invoke(args=["doctor", "--repair", "--grace-minutes", "0"])
    assert repaired.exit_code == 0 and "repaired: all consistent" in repaired.output
    assert runner.invoke(args=["doctor"]).exit_code == 0
    assert [p.id for p in services.people.list()] == [person.id]


def test_faceless_person_within_grace_is_left_alone(services, backend):
    backend.people.add_person("Enrolling Now", "t", "consent")
    assert services.doctor.check().ok  # an enrolment may still be running
    services.doctor.grace = timedelta(0)
    assert len(services.doctor.check().faceless_people) == 1


def test_doctor_cli_leaves_a_fresh_leftover_for_a_later_run_and_says_so(runner, services, backend):
    loose = services.recognizer.decode(make_photo(BLUE))
    backend.faces.index(loose, backend.faces.detect(loose)[0], "0" * 32)  # as if an enrolment were running
    first = runner.invoke(args=["doctor", "--repair"])  # the default 10-minute grace
    assert first.exit_code == 0 and "nothing to repair yet: 1 item(s)" in first.output
    assert len(backend.faces.face_ids()) == 1
