"""Verification accuracy of "compare faces" (local mode) on every real face pair we have, plus augmented ones.

Run from the repo root: ``python bench/compare_accuracy.py [--plot docs/accuracy.png]``. Real photos come from
tests/photos.py (PyPI packages) and scikit-image; each face is cut out, scaled to a ~150 px face and varied (mirror,
crop, JPEG, blur, light, noise, rotation). Similarities come from the product path (faceprints + compare_prints).
"""
from __future__ import annotations

import argparse
import io
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.photos import photo_path
from webapp.backends.local.face_collection import LocalFaceCollection
from webapp.backends.local.face_engine import MATCH_COSINE, FaceEngine
from webapp.backends.local.sface import align
from webapp.images import Photo

# (photo, identity). Only obama has several independent photos; t1.jpg holds six people.
PHOTOS = (("obama.jpg", "obama"), ("obama2.jpg", "obama"), ("obama3.jpg", "obama"), ("biden.jpg", "biden"),
          ("Tom_Hanks_54745.png", "hanks"), ("t1.jpg", "friends"))
SKIMAGE = (("astronaut", "collins"), ("camera", "cameraman"))
FACE_PX = 150  # every cut-out is scaled so its face is this wide before the variants
THRESHOLDS = (50, 60, 70, 75, 80, 85, 90, 95)
DEFAULT_THRESHOLD = 80.0


def _jpeg(image: Image.Image, quality: int) -> Image.Image:
    """Re-encode at a JPEG quality."""
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=quality)
    return Image.open(out).convert("RGB")


def _pixels(image: Image.Image, fn) -> Image.Image:
    """Apply a function to the float pixels and clip back to uint8."""
    values = fn(np.asarray(image, dtype=np.float32))
    return Image.fromarray(np.clip(values, 0, 255).astype(np.uint8))


def _crop(image: Image.Image, keep: float, dx: float, dy: float) -> Image.Image:
    """Keep the central `keep` share of each side, shifted by dx, dy (shares of the size)."""
    w, h = image.size
    left, top = w * ((1 - keep) / 2 + dx), h * ((1 - keep) / 2 + dy)
    return image.crop((int(left), int(top), int(left + w * keep), int(top + h * keep)))


def _small(image: Image.Image) -> Image.Image:
    """Shrink to a ~40 px face and back: a low-resolution source shown at the same size."""
    w, h = image.size
    tiny = image.resize((max(1, w * 40 // FACE_PX), max(1, h * 40 // FACE_PX)), Image.Resampling.BOX)
    return tiny.resize((w, h), Image.Resampling.BILINEAR)


RNG = np.random.default_rng(6)
VARIANTS = {
    "original": lambda im: im,
    "mirror": lambda im: im.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
    "crop": lambda im: _crop(im, 0.7, -0.04, -0.03),
    "jpeg15": lambda im: _jpeg(im, 15),
    "blur2": lambda im: im.filter(ImageFilter.GaussianBlur(2)),
    "small40": _small,
    "dark": lambda im: _pixels(im, lambda a: a * 0.45),
    "bright": lambda im: _pixels(im, lambda a: a * 1.6 + 10),
    "lowcontrast": lambda im: _pixels(im, lambda a: (a - 128) * 0.5 + 128),
    "grey": lambda im: im.convert("L").convert("RGB"),
    "noise": lambda im: _pixels(im, lambda a: a + RNG.normal(0, 12, a.shape)),
    "rotate12": lambda im: im.rotate(12, resample=Image.Resampling.BILINEAR),
    "rotate-12": lambda im: im.rotate(-12, resample=Image.Resampling.BILINEAR),
}


@dataclass(frozen=True)
class Sample:
    """One variant of one face: who, from which photo, and its faceprints (None: no face found)."""

    identity: str
    photo: str
    variant: str
    plain: np.ndarray | None
    flipped: np.ndarray | None  # mean of the face's and its mirrored crop's faceprints


def skimage_rgb(name: str) -> Image.Image:
    """A scikit-image sample photo as RGB."""
    from skimage import data

    return Image.fromarray(getattr(data, name)()).convert("RGB")


def cutouts(faces: LocalFaceCollection) -> list[tuple[str, str, Image.Image]]:
    """(identity, photo label, face cut-out with margin scaled to FACE_PX) for every real face."""
    images = [(n, i, Image.open(photo_path(n)).convert("RGB")) for n, i in PHOTOS]
    images += [(n, i, skimage_rgb(n)) for n, i in SKIMAGE]
    out = []
    for name, identity, image in images:
        found = faces.detect(Photo(image, "png"))
        for k, face in enumerate(found):
            w, h = image.size
            b = face.bounding_box
            box = (int((b.left - 0.5 * b.width) * w), int((b.top - 0.5 * b.height) * h),
                   int((b.left + 1.5 * b.width) * w), int((b.top + 1.5 * b.height) * h))
            cut = image.crop(box)  # out-of-image parts become black, like a photo edge
            scale = FACE_PX / (b.width * w)
            cut = cut.resize((round(cut.width * scale), round(cut.height * scale)), Image.Resampling.LANCZOS)
            label = f"{name}#{k}" if len(found) > 1 else name
            out.append((f"{identity}#{k}" if identity == "friends" else identity, label, cut))
    return out


def embed(faces: LocalFaceCollection, image: Image.Image) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Faceprint of the face nearest the centre (the one the cut-out is of), plain and mirror-averaged."""
    prints = faces.faceprints(Photo(image, "png"))
    if not prints:
        return None, None
    face, vector = min(prints, key=lambda p: abs(p[0].bounding_box.left + p[0].bounding_box.width / 2 - 0.5)
                       + abs(p[0].bounding_box.top + p[0].bounding_box.height / 2 - 0.5))
    rgb = np.asarray(image, dtype=np.uint8)
    engine = faces.engine
    # Bench-only reach into the engine: the aligned 112x112 crop, mirrored, embedded again.
    height, width = rgb.shape[:2]
    crop = align(rgb, [(x * width, y * height) for x, y in face.landmarks])
    mirrored = engine._sface.embed([np.ascontiguousarray(crop[:, ::-1])])[0]
    mirrored = mirrored / np.linalg.norm(mirrored)
    both = vector + mirrored
    return vector, both / np.linalg.norm(both)


def collect(faces: LocalFaceCollection) -> list[Sample]:
    """Every variant of every cut-out, embedded."""
    samples = []
    for identity, photo, cut in cutouts(faces):
        for variant, fn in VARIANTS.items():
            plain, flipped = embed(faces, fn(cut))
            samples.append(Sample(identity, photo, variant, plain, flipped))
    return samples


def category(a: Sample, b: Sample) -> str:
    """Which kind of pair: real (two originals), cross-photo (augmented) or same-photo (augmented)."""
    if a.identity != b.identity:
        return "different, real" if a.variant == b.variant == "original" else "different, augmented"
    if a.photo == b.photo:
        return "same, one photo augmented"
    return "same, real" if a.variant == b.variant == "original" else "same, two photos augmented"


def similarities(faces: LocalFaceCollection, samples: list[Sample], mirror: bool) -> dict[str, list[float]]:
    """Similarity of every pair by category; a pair with an undetected face scores -1 (never a match)."""
    out: dict[str, list[float]] = {}
    for a, b in itertools.combinations(samples, 2):
        va, vb = (a.flipped, b.flipped) if mirror else (a.plain, b.plain)
        if va is None or vb is None:
            score = -1.0
        else:
            result = faces.compare_prints((None, va), [(None, vb)], threshold=0.0)
            score = result.similarity
        out.setdefault(category(a, b), []).append(score)
    return out


def rates(scores: dict[str, list[float]], threshold: float) -> tuple[float, float, float]:
    """TMR (all same pairs), FMR (all different pairs) and balanced pair accuracy at a threshold."""
    same = np.array([s for k, v in scores.items() if k.startswith("same") for s in v])
    diff = np.array([s for k, v in scores.items() if k.startswith("different") for s in v])
    tmr, fmr = float(np.mean(same >= threshold)), float(np.mean(diff >= threshold))
    return tmr, fmr, (tmr + 1 - fmr) / 2


def report(scores: dict[str, list[float]], title: str) -> None:
    """Print counts and rates per category at the default threshold, then the sweep."""
    print(f"\n== {title}")
    for name in sorted(scores):
        values = np.array(scores[name])
        hit = np.mean(values >= DEFAULT_THRESHOLD)
        what = "matched" if name.startswith("same") else "falsely matched"
        print(f"  {name:28s} n={len(values):6d}  {what} at 80: {hit:7.2%}  "
              f"min={values.min():5.1f} median={np.median(values):5.1f} max={values.max():5.1f}")
    print("  threshold   TMR      FMR      pair accuracy")
    for t in THRESHOLDS:
        tmr, fmr, acc = rates(scores, t)
        print(f"  {t:9.0f}  {tmr:7.2%}  {fmr:7.3%}  {acc:7.2%}")


def print_closest_strangers(samples: list[Sample], count: int = 6) -> None:
    """The different-person pairs with the highest similarity: where false matches come from."""
    rows = sorted(
        ((FaceEngine.similarity(float(np.dot(a.plain, b.plain))), f"{a.photo}/{a.variant}", f"{b.photo}/{b.variant}")
         for a, b in itertools.combinations(samples, 2)
         if a.identity != b.identity and a.plain is not None and b.plain is not None),
        reverse=True,
    )
    print(f"\nclosest different-person pairs (of {len(rows)}):")
    for similarity, a, b in rows[:count]:
        print(f"  {similarity:5.1f}  {a} vs {b}")


def print_misses(samples: list[Sample]) -> None:
    """Variants in which the face was not found (they count as non-matches above)."""
    missed = [f"{s.photo}/{s.variant}" for s in samples if s.plain is None]
    print(f"\nface not found in {len(missed)} of {len(samples)} variants: {', '.join(missed) or '-'}")


def detection_sweep() -> None:
    """Faces found in t1.jpg shrunk to smaller widths, and false faces in photos without people, per YuNet threshold."""
    group = Image.open(photo_path("t1.jpg")).convert("RGB")
    empty = [skimage_rgb(n) for n in ("coffee", "rocket", "chelsea", "hubble_deep_field", "immunohistochemistry")]
    widths = (1280, 480, 320, 240, 200, 160, 120)
    print("\nYuNet score threshold: faces found in t1.jpg (6 faces) shrunk to each width; "
          "false faces on 5 empty photos")
    # t1.jpg's faces are ~100 px wide at its full 1280 px width, so ~w/13 px at width w.
    print("  face px    " + "  ".join(f"{w * 100 // 1280:<5d}" for w in widths))
    print("  threshold  " + "  ".join(f"w{w:<4d}" for w in widths) + "  false")
    for threshold in (0.3, 0.4, 0.5, 0.6, 0.7):
        engine = FaceEngine(score_threshold=threshold)
        found = []
        for width in widths:
            small = group.resize((width, round(group.height * width / group.width)), Image.Resampling.LANCZOS)
            found.append(len(engine.detect(np.asarray(small))))
        false = sum(len(engine.detect(np.asarray(image))) for image in empty)
        print(f"  {threshold:9.1f}  " + "  ".join(f"{n:<5d}" for n in found) + f"  {false}")


def _cosines(samples: list[Sample]) -> dict[str, list[float]]:
    """SFace cosine of every pair with both faces found, split into same and different people."""
    out: dict[str, list[float]] = {"same": [], "different": []}
    for a, b in itertools.combinations(samples, 2):
        if a.plain is not None and b.plain is not None:
            out["same" if a.identity == b.identity else "different"].append(float(np.dot(a.plain, b.plain)))
    return out


def plot(samples: list[Sample], path: Path) -> None:
    """Histograms of same vs different pairs over the cosine (square-root share axis, so tails show), with Pillow."""
    width, height, left, bottom, top, lo, hi = 900, 480, 70, 80, 70, -0.2, 1.0
    image = Image.new("RGB", (width, height), "white")
    draw, font = ImageDraw.Draw(image), ImageFont.load_default(size=14)
    plot_w, plot_h = width - left - 30, height - bottom - top
    x_of = lambda c: left + plot_w * (c - lo) / (hi - lo)  # noqa: E731
    y_of = lambda share: top + plot_h * (1 - share ** 0.5)  # noqa: E731
    bins = np.linspace(lo, hi, 49)
    overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
    cosines = _cosines(samples)
    for name, colour in (("different", (245, 158, 11, 160)), ("same", (22, 163, 74, 160))):
        share = np.histogram(np.clip(cosines[name], lo, hi), bins)[0] / len(cosines[name])
        for i, value in enumerate(share):
            if value > 0:
                ImageDraw.Draw(overlay).rectangle((x_of(bins[i]), y_of(value), x_of(bins[i + 1]) - 1, y_of(0)),
                                                  fill=colour)
    image.paste(overlay, mask=overlay)
    draw.line((left, y_of(0), x_of(hi), y_of(0)), fill="black")
    draw.line((left, top, left, y_of(0)), fill="black")
    for tick in np.arange(-0.2, 1.01, 0.2):
        draw.text((x_of(tick) - 12, y_of(0) + 8), f"{tick:.1f}", fill="black", font=font)
        draw.text((x_of(tick) - 12, top - 22), f"{FaceEngine.similarity(tick):.0f}", fill="grey", font=font)
    for share in (0.01, 0.05, 0.25, 0.5, 1.0):
        draw.text((18, y_of(share) - 8), f"{share:.0%}", fill="black", font=font)
    x80 = x_of(MATCH_COSINE)
    draw.line((x80, top, x80, y_of(0)), fill=(220, 38, 38), width=2)
    draw.text((x80 + 6, top + 4), f"default threshold: similarity 80 = cosine {MATCH_COSINE:.2f}",
              fill=(220, 38, 38), font=font)
    draw.text((left, height - 50), "SFace cosine (bottom) and Glimpse similarity (top, grey); "
              "share of pairs per bin on a square-root scale", fill="black", font=font)
    draw.text((left, height - 28), f"green: same person ({len(cosines['same'])} pairs)   orange: different people "
              f"({len(cosines['different'])} pairs); real and augmented together", fill="black", font=font)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
    print(f"\nplot written to {path}")


def main() -> None:
    """Embed every variant, print rates with and without mirror averaging, then the detection sweep."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plot", type=Path, help="write the similarity histogram PNG here")
    args = parser.parse_args()
    faces = LocalFaceCollection(FaceEngine(), index=None)
    samples = collect(faces)
    print(f"{len({(s.identity, s.photo) for s in samples})} real faces of "
          f"{len({s.identity for s in samples})} people, {len(VARIANTS)} variants each: {', '.join(VARIANTS)}")
    print_misses(samples)
    plain = similarities(faces, samples, mirror=False)
    report(plain, "as shipped (one faceprint per face)")
    print_closest_strangers(samples)
    # Mirror pairs become near-identical under mirror averaging; leave them out of that comparison.
    no_mirror = [s for s in samples if s.variant != "mirror"]
    report(similarities(faces, no_mirror, mirror=False), "without mirror variants, as shipped")
    report(similarities(faces, no_mirror, mirror=True), "without mirror variants, mirror-averaged faceprints")
    if args.plot:
        plot(samples, args.plot)
    detection_sweep()


if __name__ == "__main__":
    main()
