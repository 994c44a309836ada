"""YuNet detection: OpenCV's FaceDetectorYN against the app's onnxruntime YuNetModel (prints numbers).

Run: python bench/yunet_speed.py [--repeat 20] [--threads 2]
Both run the same network (the app's is the float copy of the shipped int8 file) on the same
BGR images: t1.jpg (6 faces) and obama.jpg shrunk to the detection size the app uses (640 px
longest side) and to 320 px, and a 640x640 grey image; interleaved, median of --repeat rounds of
10 calls. It first checks both give the same rows.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from common import machine, source_image


def images() -> dict[str, np.ndarray]:
    """Named BGR test images at the sizes detection sees."""
    import cv2

    out = {"grey 640x640": np.full((640, 640, 3), 128, np.uint8)}
    for name in ("t1.jpg", "obama.jpg"):
        rgb = np.asarray(source_image(name).convert("RGB"))
        for side in (640, 320):
            scale = side / max(rgb.shape[:2])
            small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            out[f"{name} {small.shape[1]}x{small.shape[0]}"] = cv2.cvtColor(small, cv2.COLOR_RGB2BGR)
    return out


def main() -> None:
    """Check agreement, then time both ways per image."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    import cv2

    from webapp.backends.local.face_engine import DEFAULT_SCORE_THRESHOLD, DETECTOR_FILE, models_dir, yunet_source
    from webapp.backends.local.yunet import YuNetModel

    print(f"machine: {machine()}; threads {args.threads}")
    cv2.setNumThreads(args.threads)
    detector = cv2.FaceDetectorYN.create(str(models_dir() / DETECTOR_FILE), "", (320, 320),
                                         DEFAULT_SCORE_THRESHOLD, 0.3, 5000)
    model = YuNetModel(lambda: yunet_source(None), threads=args.threads)

    def opencv(bgr: np.ndarray) -> np.ndarray:
        detector.setInputSize((bgr.shape[1], bgr.shape[0]))
        rows = detector.detect(bgr)[1]
        return np.zeros((0, 15), np.float32) if rows is None else rows

    def app(bgr: np.ndarray) -> np.ndarray:
        return model.detect(bgr, DEFAULT_SCORE_THRESHOLD)

    print(f"{'image':<24}{'faces':>6}{'max |diff|':>12}{'OpenCV CPU / wall ms':>24}{'app CPU / wall ms':>22}")
    for name, bgr in images().items():
        theirs, ours = opencv(bgr), app(bgr)
        diff = float(np.abs(theirs - ours).max()) if len(theirs) == len(ours) and len(ours) else 0.0
        times: dict[str, list[tuple[float, float]]] = {"opencv": [], "app": []}
        for _ in range(args.repeat):
            for way, run in (("opencv", opencv), ("app", app)):  # interleaved
                begin, begin_cpu = time.perf_counter(), time.process_time()
                for _ in range(10):
                    run(bgr)
                times[way].append(((time.process_time() - begin_cpu) / 10, (time.perf_counter() - begin) / 10))
        cells = [f"{statistics.median(t[0] for t in times[w]) * 1e3:.1f} / "
                 f"{statistics.median(t[1] for t in times[w]) * 1e3:.1f}" for w in ("opencv", "app")]
        print(f"{name:<24}{len(ours):>3}/{len(theirs):<2}{diff:>12.1e}{cells[0]:>24}{cells[1]:>22}")


if __name__ == "__main__":
    main()
