"""flask recognize / flask text over many photos: several in flight, rows in input order, errors in their row."""
import json
import threading
import time

import pytest

from tests.conftest import ADMIN_PASSWORD, BLUE, RED
from tests.fakes import make_photo
from webapp import create_app
from webapp.cli import common
from webapp.cli.common import map_in_order, photos_at_once


class ConcurrencyMeter:
    """Wraps a function; records how many calls ran at the same time (each call lingers a little)."""

    def __init__(self, func, linger=lambda *args: 0.05):
        self.func, self.linger = func, linger
        self.running = self.most = self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, *args):
        with self.lock:
            self.running += 1
            self.calls += 1
            self.most = max(self.most, self.running)
        try:
            time.sleep(self.linger(*args))
            return self.func(*args)
        finally:
            with self.lock:
                self.running -= 1


def _app(data_dir, backend, photos):
    overrides = {"data_dir": data_dir, "testing": True, "secret_key": "test-secret",
                 "admin_password": ADMIN_PASSWORD, "cli_photos": photos}
    return create_app(overrides, backend=backend)


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def test_map_in_order_yields_in_input_order_when_later_items_finish_first():
    meter = ConcurrencyMeter(lambda n: n * 10, linger=lambda n: 0.02 * (6 - n))  # the first item is the slowest
    assert list(map_in_order(meter, range(6), in_flight=3)) == [0, 10, 20, 30, 40, 50]
    assert meter.most == 3


@pytest.mark.parametrize("in_flight", [1, 2, 3])
def test_map_in_order_never_runs_more_than_in_flight_at_once(in_flight):
    meter = ConcurrencyMeter(lambda n: n)
    assert list(map_in_order(meter, range(10), in_flight)) == list(range(10))
    assert meter.most == in_flight


def test_map_in_order_stops_starting_work_once_the_reader_stops():
    meter = ConcurrencyMeter(lambda n: n)
    results = map_in_order(meter, range(100), in_flight=2)
    assert next(results) == 0
    results.close()  # as a closed pipe or Ctrl-C ends the loop
    started = meter.calls
    time.sleep(0.2)
    assert meter.calls == started <= 2 * (1 + common.QUEUED_PER_WORKER)


def test_recognize_keeps_input_order_and_gives_a_bad_photo_its_own_error_row(tmp_path, data_dir, backend):
    app = _app(data_dir, backend, photos=2)
    services = app.extensions["services"]
    services.people.enrol("Ada", [("a.png", make_photo(RED))], True, "t")
    # the earlier photo of each pair lingers longer, so its neighbour finishes first
    sizes = iter([0.15, 0.01, 0.15, 0.01])
    meter = ConcurrencyMeter(services.recognizer.recognize, linger=lambda photo: next(sizes))
    services.recognizer.recognize = meter
    images = [_write(tmp_path, "1.png", make_photo(RED)), _write(tmp_path, "2.png", make_photo(BLUE)),
              _write(tmp_path, "bad.jpg", b"nope"), str(tmp_path / "missing.png"),
              _write(tmp_path, "3.png", make_photo(RED, BLUE)), _write(tmp_path, "4.png", make_photo())]
    result = app.test_cli_runner().invoke(args=["recognize", "--json", *images])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["image"] for r in rows] == images
    assert "not a JPEG" in rows[2]["error"] and "Cannot read" in rows[3]["error"]
    names = [[f["person"]["name"] if f["person"] else None for f in r["faces"]] for r in rows if "faces" in r]
    assert names == [["Ada"], [None], ["Ada", None], []]
    assert meter.most == 2 and meter.calls == 4


def test_recognize_runs_one_photo_at_a_time_when_told_to(tmp_path, data_dir, backend):
    app = _app(data_dir, backend, photos=1)
    services = app.extensions["services"]
    meter = ConcurrencyMeter(services.recognizer.recognize)
    services.recognizer.recognize = meter
    images = [_write(tmp_path, f"{i}.png", make_photo(RED)) for i in range(4)]
    result = app.test_cli_runner().invoke(args=["recognize", "--json", *images])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["image"] for line in result.stdout.splitlines()] == images
    assert meter.most == 1 and meter.calls == 4


def test_text_reads_several_photos_at_once_in_order(tmp_path, data_dir, backend):
    app = _app(data_dir, backend, photos=3)
    services = app.extensions["services"]
    meter = ConcurrencyMeter(services.recognizer.text_of)
    services.recognizer.text_of = meter
    images = [_write(tmp_path, f"{i}.png", make_photo(RED)) for i in range(5)]
    result = app.test_cli_runner().invoke(args=["text", *images, str(tmp_path / "missing.png")])
    assert result.exit_code == 1
    heads = [line for line in result.stdout.splitlines() if not line.startswith("  ")]
    assert heads == [f"{path}: 1 line(s)" for path in images] + [
        f"{tmp_path / 'missing.png'}: error: Cannot read the file: No such file or directory."]
    assert meter.most == 3


def test_photos_at_once_is_the_setting_or_one_per_usable_core_up_to_four(monkeypatch):
    assert photos_at_once(3) == 3
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: set(range(16)), raising=False)
    assert photos_at_once(0) == common.MAX_AUTO_PHOTOS == 4
    monkeypatch.setattr("os.sched_getaffinity", lambda pid: {0}, raising=False)
    assert photos_at_once(0) == 1
