"""Local label detector: restricted .pth reader, ONNX EfficientNet-Lite0, label roll-up."""
from __future__ import annotations

import collections
import io
import pickle
import sys
import threading
import types
import zipfile

import numpy as np
import pytest
from PIL import Image

from tests.photos import photo_path
from webapp.backends.local import labels as labels_module
from webapp.backends.local.labels import LocalLabelDetector
from webapp.backends.local.pth_reader import UnsafePickleError, load_state_dict
from webapp.backends.local.taxonomy import class_names, labels_from_probabilities, load_taxonomy

skimage_data = pytest.importorskip("skimage.data")


# -- restricted unpickler ---------------------------------------------------------------------


class _Evil:
    """Pickles to a call of os.system that would create a marker file."""

    def __init__(self, marker) -> None:
        self.marker = marker

    def __reduce__(self):
        import os

        return (os.system, (f"touch '{self.marker}'",))


def _write_zip_checkpoint(path, payload: bytes) -> None:
    """A torch-style zip archive holding `payload` as archive/data.pkl."""
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", payload)
        archive.writestr("archive/version", "3\n")


def test_reader_refuses_pickle_that_references_os_system(tmp_path):
    """A checkpoint naming os.system is rejected before anything runs."""
    path = tmp_path / "evil.pth"
    marker = tmp_path / "pwned"
    _write_zip_checkpoint(path, pickle.dumps({"w": _Evil(marker)}, protocol=2))
    with pytest.raises(UnsafePickleError, match="system"):
        load_state_dict(path)
    assert not marker.exists()


def _fake_torch(monkeypatch):
    """Just enough of a `torch` module for pickle to write torch globals by name."""
    torch_mod, utils_mod = types.ModuleType("torch"), types.ModuleType("torch._utils")
    storage = type("FloatStorage", (), {"__module__": "torch"})

    def _rebuild_tensor_v2(*args):  # never called: only its name is pickled
        raise AssertionError

    _rebuild_tensor_v2.__module__, _rebuild_tensor_v2.__qualname__ = "torch._utils", "_rebuild_tensor_v2"
    torch_mod.FloatStorage, utils_mod._rebuild_tensor_v2 = storage, _rebuild_tensor_v2
    monkeypatch.setitem(sys.modules, "torch", torch_mod)
    monkeypatch.setitem(sys.modules, "torch._utils", utils_mod)
    return storage, _rebuild_tensor_v2


def test_reader_rebuilds_strided_tensors_from_a_zip_checkpoint(tmp_path, monkeypatch):
    """A torch.save-style zip (data.pkl + data/<key>) loads as numpy arrays with strides honoured."""
    storage_type, rebuild = _fake_torch(monkeypatch)
    marker = object()

    class _Tensor:
        def __reduce__(self):
            return (rebuild, (marker, 1, (2, 2), (1, 2), False, collections.OrderedDict()))

    class _Pickler(pickle.Pickler):
        def persistent_id(self, obj):
            return ("storage", storage_type, "0", "cpu", 5) if obj is marker else None

    buf = io.BytesIO()
    _Pickler(buf, protocol=2).dump(collections.OrderedDict(w=_Tensor()))
    path = tmp_path / "ok.pth"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("archive/data.pkl", buf.getvalue())
        archive.writestr("archive/data/0", np.arange(5, dtype="<f4").tobytes())
    state = load_state_dict(path)
    np.testing.assert_array_equal(state["w"], np.array([[1, 3], [2, 4]], dtype=np.float32))


# -- taxonomy and roll-up (no model) ----------------------------------------------------------


def test_class_list_is_the_standard_imagenet_order():
    """1000 names in torchvision order."""
    names = class_names()
    assert len(names) == 1000
    spots = {0: "tench", 1: "goldfish", 281: "tabby", 282: "tiger cat", 285: "Egyptian cat",
             504: "coffee mug", 967: "espresso", 999: "toilet tissue"}
    assert {i: names[i] for i in spots} == spots


def test_every_class_maps_to_a_label_whose_parents_are_labels():
    """Complete coverage; every parent is itself a label with its own parents."""
    taxonomy = load_taxonomy()
    assert taxonomy.membership.shape == (len(taxonomy.names), 1000)
    assert (taxonomy.membership.sum(axis=0) >= 1).all()
    for parents in taxonomy.parents.values():
        assert set(parents) <= set(taxonomy.parents)


def _probs(**by_index: float) -> np.ndarray:
    probs = np.full(1000, 0.0, dtype=np.float32)
    for index, p in by_index.items():
        probs[int(index.lstrip("c"))] = p
    probs += (1.0 - probs.sum()) / 1000  # spread the rest thinly
    return probs


def test_cat_split_rolls_up_into_cat_and_its_parents():
    """0.38 + 0.36 + 0.17 over three cat classes gives Cat ~91, with Animal/Mammal/Pet above."""
    labels = labels_from_probabilities(_probs(c282=0.38, c285=0.36, c281=0.17))
    by_name = {label.name: label for label in labels}
    assert by_name["Cat"].confidence == pytest.approx(91.0, abs=0.5)
    assert set(by_name["Cat"].parents) == {"Pet", "Animal", "Mammal"}
    for parent in ("Pet", "Animal", "Mammal"):
        assert by_name[parent].confidence >= by_name["Cat"].confidence
    assert by_name["Animal"].parents == ()
    assert "Dog" not in by_name
    assert [lb.confidence for lb in labels] == sorted((lb.confidence for lb in labels), reverse=True)


def test_threshold_and_limit_are_applied():
    """Nothing under min_confidence; at most max_labels; parent sums are capped at 100."""
    probs = _probs(c967=0.6, c504=0.2, c968=0.15)
    labels = labels_from_probabilities(probs, min_confidence=30, max_labels=10)
    names = [label.name for label in labels]
    assert "Coffee" in names and "Cup" in names
    assert all(label.confidence >= 30 for label in labels)
    assert len(labels_from_probabilities(probs, min_confidence=0, max_labels=3)) == 3
    assert all(label.confidence <= 100 for label in labels_from_probabilities(probs, min_confidence=0))


def test_a_flat_distribution_gives_no_label_although_animal_sums_to_40():
    """Every class at 0.1%: Animal's 40% share of the classes is chance, not a label."""
    flat = np.full(1000, 0.001, dtype=np.float32)
    taxonomy = load_taxonomy()
    assert taxonomy.roll_up(flat)[taxonomy.names.index("Animal")] == pytest.approx(40, abs=1)
    assert labels_from_probabilities(flat) == []


def test_split_flower_votes_fall_back_to_the_labels_well_above_chance():
    """No label reaches 55, but Plant / Flower / Daisy (far above their chance share) come through."""
    probs = _probs(c985=0.33, c309=0.05, c108=0.04)  # daisy, bee, sea anemone
    labels = labels_from_probabilities(probs)
    names = [label.name for label in labels]
    assert {"Flower", "Daisy"} <= set(names)
    assert all(label.confidence < 55 for label in labels)
    assert "Animal" not in names  # bee + anemone + the thin spread is below Animal's chance share


def test_fallback_needs_a_clear_margin_over_chance():
    """Daisy 27 / Plant 29 (under the fallback floor of 30) stay out although far above chance."""
    assert labels_from_probabilities(_probs(c985=0.27)) == []
    assert {label.name for label in labels_from_probabilities(_probs(c985=0.32))} >= {"Daisy", "Plant"}


def test_roll_up_rejects_wrong_length():
    """A vector that is not 1000 long is a programming error."""
    with pytest.raises(ValueError):
        labels_from_probabilities(np.ones(10, dtype=np.float32))


# -- the real model ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def detector():
    """One loaded detector for the module (building takes well under a second)."""
    found = LocalLabelDetector(threads=2)
    found.load()
    return found


@pytest.mark.model
def test_chelsea_is_a_cat_not_a_dog(detector):
    """skimage's chelsea (a tabby) -> Cat >= 55 with Animal among its parents, no Dog."""
    labels = detector.detect(skimage_data.chelsea())
    by_name = {label.name: label for label in labels}
    assert by_name["Cat"].confidence >= 55
    assert "Animal" in by_name["Cat"].parents
    assert "Dog" not in by_name


@pytest.mark.model
def test_coffee_is_coffee(detector):
    """skimage's coffee (an espresso cup) -> a coffee / cup / beverage label."""
    names = {label.name for label in detector.detect(skimage_data.coffee())}
    assert names & {"Coffee", "Cup", "Beverage", "Drink"}


@pytest.mark.model
def test_dahlia_gets_plant_labels_although_no_class_passes(detector):
    """scikit-learn's dahlia (no dahlia class: daisy 32) -> Flower / Plant, not an empty list."""
    rgb = np.asarray(Image.open(photo_path("flower.jpg")).convert("RGB"))
    names = {label.name for label in detector.detect(rgb)}
    assert {"Flower", "Plant"} <= names


@pytest.mark.model
@pytest.mark.parametrize("name", ["china.jpg", "bus.jpg", "obama.jpg", "flower.jpg"])
def test_ordinary_photos_get_at_least_one_label(detector, name):
    """A temple, a street, a portrait and a flower each get a label from the classifier alone."""
    assert detector.detect(np.asarray(Image.open(photo_path(name)).convert("RGB")))


@pytest.mark.model
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_noise_and_blank_images_stay_unlabelled(detector, seed):
    """Random colour noise, random grey noise and a flat frame get no label at all."""
    rng = np.random.default_rng(seed)
    for rgb in (rng.integers(0, 256, (300, 400, 3), dtype=np.uint8),
                np.repeat(rng.integers(0, 256, (300, 400, 1), dtype=np.uint8), 3, axis=2),
                np.full((300, 400, 3), rng.integers(0, 256, 3), dtype=np.uint8)):
        assert detector.detect(rgb) == []


@pytest.mark.model
def test_classify_returns_a_distribution_and_accepts_a_pil_image(detector):
    """1000 probabilities summing to 1; a PIL image gives the same answer as its array."""
    rgb = skimage_data.coffee()
    probs = detector.classify(rgb)
    assert probs.shape == (1000,)
    assert float(probs.sum()) == pytest.approx(1.0, abs=1e-3)
    assert int(probs.argmax()) == 967  # espresso
    np.testing.assert_allclose(detector.classify(Image.fromarray(rgb)), probs, atol=1e-6)


@pytest.mark.model
def test_load_builds_the_session_once(monkeypatch):
    """load() twice (and from two threads) builds the model exactly once."""
    calls = []
    real_build = labels_module.build_model_bytes

    def counting_build(state):
        calls.append(1)
        return real_build(state)

    monkeypatch.setattr(labels_module, "build_model_bytes", counting_build)
    detector = LocalLabelDetector(threads=1)
    assert not detector.loaded
    threads = [threading.Thread(target=detector.load) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    detector.load()
    assert detector.loaded
    assert len(calls) == 1
