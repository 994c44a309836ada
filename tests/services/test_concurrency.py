"""Several processes enrol and forget at once on one data directory (as gunicorn workers do)."""
import multiprocessing as mp

from tests.conftest import build_fake_backend
from tests.fakes import make_photo
from webapp.config import load_settings
from webapp.extensions import AppServices


def _worker(data_dir, worker: int, rounds: int, queue) -> None:
    """Enrol `rounds` people, forget every other one, report the survivors' ids."""
    settings = load_settings(environ={}, overrides={"data_dir": data_dir, "secret_key": "t"})
    services = AppServices.build(settings, build_fake_backend(data_dir))
    kept = []
    for i in range(rounds):
        colour = (10 + worker * 40, 10 + i * 9, 200)
        person = services.people.enrol(f"W{worker} P{i}", [("p.png", make_photo(colour))], True, "t").person
        if i % 2:
            services.people.forget(person.id)
        else:
            kept.append(person.id)
    queue.put(kept)


def test_concurrent_enrol_and_forget_from_several_processes_stay_consistent(data_dir):
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_worker, args=(data_dir, w, 8, queue)) for w in range(4)]
    for p in workers:
        p.start()
    kept = sorted(pid for _ in workers for pid in queue.get(timeout=120))
    for p in workers:
        p.join(timeout=60)
        assert p.exitcode == 0
    backend = build_fake_backend(data_dir)
    people = sorted(p.id for p in backend.people.list_people())
    assert people == kept and len(kept) == 16
    assert sorted(backend.faces.face_ids()) == sorted(backend.people.all_face_ids())
    assert len(backend.faces.face_ids()) == 16
    stored_people = {key.split("/")[1] for key in backend.store.list("people")}
    assert stored_people == set(kept)
