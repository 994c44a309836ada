"""dlib's ResNet faceprint: reader, graph and alignment on synthetic inputs, then on real photos."""

from __future__ import annotations

import numpy as np
import onnxruntime as ort
import pytest
from PIL import Image

from tests.backends.local import dlib_format
from tests.photos import photo_path
from webapp.backends.local import dlib_faceprint, dlib_graph
from webapp.backends.local.dlib_faceprint import (
    CHIP_SIZE,
    REFERENCE_POINTS,
    DlibFaceprint,
    align,
    model_bytes,
    similarity_transform,
)
from webapp.backends.local.dlib_graph import build_model_bytes
from webapp.backends.local.dlib_reader import DlibFormatError, parse_dlib_net
from webapp.backends.local.face_engine import FaceEngine
from webapp.errors import BackendUnavailable

# --- reader and graph on a tiny synthetic network ----------------------------------


@pytest.fixture(scope="module")
def tiny() -> dlib_format.TinyNet:
    """A small dlib-style ResNet with random weights."""
    return dlib_format.tiny_net(np.random.default_rng(7))


def test_reader_recovers_layers_weights_and_input_mean(tiny: dlib_format.TinyNet) -> None:
    net = parse_dlib_net(dlib_format.serialize(tiny))
    assert net.size == tiny.size
    assert net.mean_rgb == pytest.approx(tiny.mean)
    assert [layer.name for layer in net.layers][:4] == ["con_4", "affine_", "relu_", "max_pool_2"]
    first = net.layers[0]
    assert first.ints["stride_y"] == 2 and first.ints["pad_y"] == 0
    np.testing.assert_allclose(first.arrays["weight"], tiny.layers[0][1]["w"], rtol=1e-6)
    np.testing.assert_allclose(net.layers[-1].arrays["weight"], tiny.layers[-1][1]["w"], rtol=1e-6)


def test_graph_matches_dlibs_forward_pass_including_zero_filled_residual_sums(
    tiny: dlib_format.TinyNet,
) -> None:
    # The down block adds a 3x3x6 branch to a 4x4x4 pooled input: dlib zero-fills.
    session = ort.InferenceSession(build_model_bytes(parse_dlib_net(dlib_format.serialize(tiny))))
    chips = np.random.default_rng(1).integers(0, 256, (2, tiny.size, tiny.size, 3)).astype(np.float32)
    (got,) = session.run(None, {"rgb": chips})
    np.testing.assert_allclose(got, dlib_format.forward(tiny, chips), rtol=1e-4, atol=1e-5)


def test_reader_rejects_a_file_that_is_not_a_dlib_network() -> None:
    with pytest.raises(DlibFormatError):
        parse_dlib_net(b"\x01\x01" + dlib_format.d_str("shape_predictor"))


def test_reader_rejects_a_truncated_file(tiny: dlib_format.TinyNet) -> None:
    data = dlib_format.serialize(tiny)
    with pytest.raises(DlibFormatError):
        parse_dlib_net(data[: len(data) // 2])


# --- the on-disk cache of built models ---------------------------------------------


def test_built_model_is_cached_and_a_corrupt_cache_is_rebuilt(tiny: dlib_format.TinyNet, tmp_path) -> None:
    weights = tmp_path / "tiny.dat"
    weights.write_bytes(dlib_format.serialize(tiny))
    cache = tmp_path / "cache"
    built = model_bytes(weights, cache)
    (cached,) = cache.glob("*.onnx")
    assert model_bytes(weights, cache) == built
    cached.write_bytes(cached.read_bytes()[:-100])  # a torn write
    assert model_bytes(weights, cache) == built
    assert [p.name for p in cache.iterdir()] == [cached.name]


def test_missing_weights_file_raises_backend_unavailable(tmp_path) -> None:
    with pytest.raises(BackendUnavailable):
        model_bytes(tmp_path / "missing.dat", tmp_path / "cache")


def test_damaged_weights_raise_backend_unavailable(tmp_path) -> None:
    weights = tmp_path / "bad.dat"
    weights.write_bytes(b"\x01\x01" + dlib_format.d_str("loss_metric_2") + b"garbage")
    with pytest.raises(BackendUnavailable):
        model_bytes(weights, tmp_path / "cache")


# --- alignment ----------------------------------------------------------------------


def test_reference_points_follow_dlibs_padded_mean_face() -> None:
    right_eye, left_eye, nose, mouth_right, mouth_left = REFERENCE_POINTS
    assert right_eye[1] == pytest.approx(left_eye[1])  # the mean face is symmetric
    assert (right_eye[0] + left_eye[0]) / 2 == pytest.approx(nose[0], abs=0.5)
    assert mouth_right[1] == pytest.approx(mouth_left[1])
    # 0.25 padding leaves a fifth of the chip on each side of the face box.
    assert 0.2 * CHIP_SIZE < right_eye[0] < left_eye[0] < 0.8 * CHIP_SIZE
    assert right_eye[1] < nose[1] < mouth_right[1]


def test_similarity_transform_recovers_a_known_rotation_scale_and_shift() -> None:
    angle, scale, shift = 0.3, 1.7, np.array([12.0, -5.0])
    rotation = scale * np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    src = np.random.default_rng(3).uniform(0, 100, (5, 2))
    matrix = similarity_transform(src, src @ rotation.T + shift)
    np.testing.assert_allclose(matrix, np.hstack([rotation, shift[:, None]]), atol=1e-9)


def _dots(size: tuple[int, int], points: np.ndarray, colours: list[tuple[int, int, int]]) -> np.ndarray:
    """A black image with a small coloured disc at each point."""
    image = np.zeros((*size, 3), np.uint8)
    yy, xx = np.mgrid[: size[0], : size[1]]
    radius = max(size) / 150
    for (x, y), colour in zip(points, colours, strict=True):
        image[(xx - x) ** 2 + (yy - y) ** 2 <= radius**2] = colour
    return image


@pytest.mark.parametrize("photo_size, face_scale", [((300, 400), 1.2), ((1600, 1200), 0.18)])
def test_align_moves_each_landmark_onto_its_reference_point(photo_size, face_scale) -> None:
    # A face tilted 20 degrees; the second case is big enough to take the shrink path.
    colours = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0), (0, 255, 255)]
    angle = np.radians(20)
    turn = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    landmarks = (REFERENCE_POINTS - 75) @ turn.T / face_scale + np.array(photo_size[::-1]) / 2
    chip = align(_dots(photo_size, landmarks, colours), [tuple(p) for p in landmarks])
    assert chip.shape == (CHIP_SIZE, CHIP_SIZE, 3)
    for reference, colour in zip(REFERENCE_POINTS, colours, strict=True):
        mask = np.all(np.abs(chip.astype(int) - colour) < 90, axis=2) & (chip.max(axis=2) > 120)
        ys, xs = np.nonzero(mask)
        assert len(xs) > 0
        assert np.hypot(xs.mean() - reference[0], ys.mean() - reference[1]) < 1.5


def test_embed_many_without_faces_returns_an_empty_array_without_loading() -> None:
    faceprint = DlibFaceprint()
    out = faceprint.embed_many(np.zeros((10, 10, 3), np.uint8), [])
    assert out.shape == (0, 128) and out.dtype == np.float32
    assert not faceprint.loaded


def test_embed_many_rejects_wrong_landmarks_and_non_rgb_input() -> None:
    faceprint = DlibFaceprint()
    with pytest.raises(ValueError):
        faceprint.embed_many(np.zeros((10, 10, 3), np.uint8), [((1.0, 2.0),) * 4])
    with pytest.raises(ValueError):
        faceprint.embed_many(np.zeros((10, 10), np.uint8), [((1.0, 2.0),) * 5])


def test_missing_weights_package_raises_backend_unavailable(monkeypatch) -> None:
    monkeypatch.setattr(dlib_faceprint.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(BackendUnavailable):
        dlib_faceprint.default_weights_path()


# --- the real network on real photos ------------------------------------------------


@pytest.fixture(scope="module")
def engines(tmp_path_factory) -> tuple[FaceEngine, DlibFaceprint]:
    """YuNet for landmarks and a loaded dlib faceprint (its cache in a temp folder)."""
    faceprint = DlibFaceprint(cache_dir=tmp_path_factory.mktemp("model-cache"))
    faceprint.load()
    return FaceEngine(), faceprint


def _prints(engines: tuple[FaceEngine, DlibFaceprint], name: str) -> np.ndarray:
    """dlib faceprints of every face YuNet finds in a named test photo."""
    engine, faceprint = engines
    rgb = np.asarray(Image.open(photo_path(name)).convert("RGB"))
    height, width = rgb.shape[:2]
    landmarks = [tuple((x * width, y * height) for x, y in f.landmarks) for f in engine.detect(rgb)]
    return faceprint.embed_many(rgb, landmarks)


@pytest.mark.model
def test_same_person_is_closer_than_different_people(engines) -> None:
    obama = [_prints(engines, n)[0] for n in ("obama.jpg", "obama2.jpg", "obama3.jpg")]
    biden = _prints(engines, "biden.jpg")[0]
    same = [float(a @ b) for i, a in enumerate(obama) for b in obama[i + 1:]]
    different = [float(a @ biden) for a in obama]
    assert min(same) > max(different) + 0.05


@pytest.mark.model
def test_faceprints_are_unit_length_and_batched_per_face(engines) -> None:
    prints = _prints(engines, "t1.jpg")  # a group photo
    assert prints.shape[0] >= 5 and prints.shape[1] == 128 and prints.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(prints, axis=1), 1.0, atol=1e-5)
    single = _prints(engines, "obama.jpg")
    assert single.shape == (1, 128)


@pytest.mark.model
def test_a_second_load_reads_the_cached_model_without_building(engines, monkeypatch) -> None:
    _, first = engines

    def no_build(net):
        raise AssertionError("the model was rebuilt instead of read from the cache")

    monkeypatch.setattr(dlib_graph, "build_model_bytes", no_build)
    again = DlibFaceprint(cache_dir=first._cache_dir)
    again.load()
    rgb = np.random.default_rng(0).integers(0, 256, (200, 200, 3), dtype=np.uint8)
    points = [tuple(map(tuple, REFERENCE_POINTS + 20))]
    np.testing.assert_allclose(again.embed_many(rgb, points), first.embed_many(rgb, points), atol=1e-6)
