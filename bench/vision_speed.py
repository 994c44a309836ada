"""Per-image cost of the vision engines on real 1 MP photos (prints numbers; not a test).

Run: .venv/bin/python bench/vision_speed.py [--repeat 5]   # objects, moderation, text, labels
     .venv/bin/python bench/vision_speed.py --ocr-ab         # rapidocr settings, interleaved
     .venv/bin/python bench/vision_speed.py --scores         # open_nsfw scores, label fallback on noise
     .venv/bin/python bench/vision_speed.py --pipeline       # analysis before/after boxes + moderation
     .venv/bin/python bench/vision_speed.py --signs          # printed signs (DejaVu Sans) read back exactly?
Wall time is median / p95 over --repeat runs after one warm-up; CPU is the process's CPU
time per call (all threads), steadier than wall time on a shared machine.
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from common import machine, resized, source_image
from PIL import Image, ImageDraw, ImageFilter, ImageFont

PHOTOS = ("bus.jpg", "zidane.jpg", "t1.jpg", "flower.jpg", "china.jpg")


def sign_photo() -> Image.Image:
    """A printed sign pasted on skimage's astronaut photo (a text photo with known words)."""
    photo = source_image("astronaut").resize((1024, 1024))
    draw = ImageDraw.Draw(photo)
    draw.rectangle((80, 600, 900, 800), fill=(245, 245, 235))
    draw.text((110, 620), "GRAND CENTRAL", fill=(20, 20, 20), font=ImageFont.load_default(size=56))
    draw.text((110, 720), "Platform 7 - trains to Boston", fill=(150, 20, 20), font=ImageFont.load_default(size=30))
    return photo


def photos_1mp() -> dict[str, np.ndarray]:
    """The bench photos scaled to about one megapixel, as RGB arrays."""
    images = {name: resized(source_image(name), 1.0) for name in PHOTOS}
    images["sign"] = resized(sign_photo(), 1.0)
    return {name: np.asarray(image) for name, image in images.items()}


def measure(fn, rgb: np.ndarray, repeat: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of `repeat` calls after one warm-up."""
    fn(rgb)
    wall, cpu = [], []
    for _ in range(repeat):
        w0, c0 = time.perf_counter(), time.process_time()
        fn(rgb)
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return wall, cpu


def _ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    return f"{statistics.median(samples) * 1000:6.0f} / {ordered[int(0.95 * (len(ordered) - 1))] * 1000:6.0f}"


def engines(threads: int) -> dict[str, object]:
    """name -> per-image callable for each local engine."""
    from webapp.backends.local.labels import LocalLabelDetector
    from webapp.backends.local.moderation import LocalModerationDetector
    from webapp.backends.local.objects import LocalObjectDetector
    from webapp.backends.local.text import LocalTextReader

    return {
        "objects (NanoDet-g)": LocalObjectDetector(threads).detect,
        "moderation (open_nsfw)": LocalModerationDetector(threads).detect,
        "labels (EfficientNet)": LocalLabelDetector(threads).detect,
        "text (PP-OCR)": LocalTextReader(threads).read,
    }


def speed(repeat: int, threads: int) -> None:
    """Load time and per-image wall/CPU time of every engine on every photo."""
    photos = photos_1mp()
    print(f"{'engine':24s} {'photo':12s} {'wall ms med / p95':>18s} {'CPU ms':>8s}  first call (load) ms")
    for name, fn in engines(threads).items():
        first = None
        for photo, rgb in photos.items():
            if first is None:
                t0 = time.perf_counter()
                fn(rgb)
                first = (time.perf_counter() - t0) * 1000
            wall, cpu = measure(fn, rgb, repeat)
            print(f"{name:24s} {photo:12s} {_ms(wall):>18s} {statistics.median(cpu) * 1000:8.0f}  {first:.0f}")
            first = first if first else 0


def ocr_ab(repeat: int) -> None:
    """rapidocr's default detector sizing vs Glimpse's, one and two threads, interleaved run by run."""
    from rapidocr import RapidOCR

    from webapp.backends.local import text

    variants = {}
    for threads in (1, 2):
        default = {"Global.log_level": "error", "EngineConfig.onnxruntime.intra_op_num_threads": threads}
        variants[f"default (min 736), {threads} thr"] = RapidOCR(params=default)
        variants[f"glimpse (max 960), {threads} thr"] = RapidOCR(params=text.rapidocr_params(threads))
    photos = photos_1mp()
    times: dict[str, list[float]] = {name: [] for name in variants}
    for rgb in photos.values():
        bgr = np.ascontiguousarray(rgb[:, :, ::-1])
        for engine in variants.values():
            engine(bgr)  # warm-up
        for _ in range(repeat):
            for name, engine in variants.items():
                t0 = time.perf_counter()
                engine(bgr)
                times[name].append(time.perf_counter() - t0)
    for name, samples in times.items():
        print(f"{name:28s} wall ms median / p95 over {len(photos)} photos x {repeat}: {_ms(samples)}")


def noise_images(seeds: int = 12) -> dict[str, np.ndarray]:
    """Featureless images: uniform, grey and Gaussian noise, blurred noise, blocks, smooth blobs, flat colours."""
    out = {}
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        out[f"uniform-{seed}"] = rng.integers(0, 256, (400, 600, 3), dtype=np.uint8)
        out[f"grey-{seed}"] = np.repeat(rng.integers(0, 256, (400, 600, 1), dtype=np.uint8), 3, axis=2)
        out[f"gauss-{seed}"] = np.clip(rng.normal(128, 40, (400, 600, 3)), 0, 255).astype(np.uint8)
        blurred = Image.fromarray(out[f"uniform-{seed}"]).filter(ImageFilter.GaussianBlur(6))
        out[f"blur-{seed}"] = np.asarray(blurred)
        for kind, cells, mode in (("blocks", (12, 8), Image.Resampling.NEAREST),
                                  ("smooth", (6, 4), Image.Resampling.BICUBIC)):
            small = Image.fromarray(rng.integers(0, 256, (cells[1], cells[0], 3), dtype=np.uint8))
            out[f"{kind}-{seed}"] = np.asarray(small.resize((600, 400), mode))
        out[f"flat-{seed}"] = np.full((400, 600, 3), rng.integers(0, 256, 3), np.uint8)
    return out


def scores() -> None:
    """open_nsfw score of every photo; best label-fallback candidate on ordinary photos and on noise."""
    from webapp.backends.local.labels import LocalLabelDetector
    from webapp.backends.local.moderation import LocalModerationDetector
    from webapp.backends.local.taxonomy import load_taxonomy

    moderation, labels, taxonomy = LocalModerationDetector(1), LocalLabelDetector(1), load_taxonomy()
    chance = taxonomy.chance
    photos = photos_1mp() | {n: np.asarray(source_image(n)) for n in ("chelsea", "coffee", "rocket", "astronaut")}
    for name, rgb in photos.items():
        print(f"open_nsfw {name:12s} {moderation.score(rgb):.3f}   labels: "
              f"{[(lb.name, round(lb.confidence)) for lb in labels.detect(rgb)][:4]}")
    from webapp.backends.local.taxonomy import FALLBACK_LIFT, FALLBACK_MIN

    by_score, by_lift = (0.0, 0.0, "", ""), (0.0, 0.0, "", "")  # the two margins of the fallback rule
    noise = noise_images()
    for name, rgb in noise.items():
        rolled = taxonomy.roll_up(labels.classify(rgb))
        for i in range(len(rolled)):
            row = (float(rolled[i]), float(rolled[i] / chance[i]), taxonomy.names[i], name)
            if row[1] >= FALLBACK_LIFT:
                by_score = max(by_score, row)
            if row[0] >= FALLBACK_MIN:
                by_lift = max(by_lift, row, key=lambda r: r[1])
    print(f"{len(noise)} noise images: highest score at >= {FALLBACK_LIFT:g}x chance: {by_score[2]} "
          f"{by_score[0]:.1f} ({by_score[3]}); highest lift at >= {FALLBACK_MIN:g}: {by_lift[2]} "
          f"{by_lift[1]:.1f}x chance ({by_lift[3]})")


SIGNS = (((20, 90, 40), (255, 255, 255), "Exit 24 Main Street", 72, 0),
         ((20, 40, 140), (255, 255, 255), "Boston 12 km", 80, 6),
         ((250, 250, 250), (200, 10, 10), "NO PARKING", 90, -8),
         ((240, 200, 30), (10, 10, 10), "Caution wet floor", 64, 0),
         ((250, 250, 250), (30, 30, 30), "Bäckerei Müller", 70, 0),
         ((250, 250, 250), (30, 30, 30), "Café crème à la carte", 64, 0),
         ((250, 250, 250), (30, 30, 30), "Straße gesperrt", 70, 0))
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"  # Debian's fonts-dejavu-core


def signs() -> None:
    """Print each sign's words and what the local reader returns (signs pasted on skimage's rocket, some tilted)."""
    from webapp.backends.local.text import LocalTextReader

    reader, exact = LocalTextReader(1), 0
    for background, ink, words, size, angle in SIGNS:
        photo = source_image("rocket").resize((1200, 800))
        sign = Image.new("RGB", (900, 220), background)
        ImageDraw.Draw(sign).text((30, 40), words, fill=ink, font=ImageFont.truetype(DEJAVU, size))
        photo.paste(sign.rotate(angle, expand=True) if angle else sign, (150, 250))
        lines = [t.detected_text for t in reader.read(np.asarray(photo)) if t.type == "LINE"]
        exact += words in lines
        print(f"{words!r:26} -> {lines}")
    print(f"read exactly: {exact} of {len(SIGNS)}")


class _NoModeration:
    """The analysis as it was before moderation: nothing flagged, nothing run."""

    def detect(self, photo) -> list:
        """Nothing flagged."""
        return []


def pipeline(repeat: int, threads: int) -> None:
    """Interleaved A/B of the whole recognize() on 1 MP photos with 0/1/6 faces: before vs after this work.

    "before" = classifier labels only and no moderation (the analysis until now); "after" = the
    default now (classifier + object boxes + open_nsfw). Same process, same models, runs alternating.
    """
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    from common import jpeg, make_app, photo_grid

    with tempfile.TemporaryDirectory() as tmp:
        services = make_app(Path(tmp), model_threads=threads).extensions["services"]
        services.people.enrol("Barack Obama", [("o.jpg", jpeg(source_image("obama.jpg")))], True, "bench")
        after = services.recognizer
        before = type(after)(replace(after.backend, labels=after.backend.labels.classifier,
                                     moderation=_NoModeration()), after.limits)
        for photo in (p for p in photo_grid() if p.megapixels == 1.0):
            decoded = after.decode(photo.data)
            samples: dict[str, tuple[list[float], list[float]]] = {"before": ([], []), "after": ([], [])}
            for run in range(repeat + 1):
                for name, recognizer in (("before", before), ("after", after)):
                    w0, c0 = time.perf_counter(), time.process_time()
                    recognizer.recognize(decoded)
                    if run:
                        samples[name][0].append(time.perf_counter() - w0)
                        samples[name][1].append(time.process_time() - c0)
            print(f"{photo.name:14s} " + "   ".join(
                f"{name}: wall {_ms(w)} ms, CPU {statistics.median(c) * 1000:.0f} ms"
                for name, (w, c) in samples.items()))


def main() -> None:
    """Parse arguments and run the chosen bench."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--ocr-ab", action="store_true")
    parser.add_argument("--scores", action="store_true")
    parser.add_argument("--pipeline", action="store_true")
    parser.add_argument("--signs", action="store_true")
    args = parser.parse_args()
    print(machine())
    if args.signs:
        signs()
    elif args.pipeline:
        pipeline(args.repeat, args.threads)
    elif args.ocr_ab:
        ocr_ab(args.repeat)
    elif args.scores:
        scores()
    else:
        speed(args.repeat, args.threads)


if __name__ == "__main__":
    main()
