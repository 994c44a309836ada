"""Memory one upload costs in AWS mode, by megapixels — for sizing workers × threads (prints numbers).

Run: python bench/upload_memory.py [--megapixels 12,24,40,60] [--photos 1]
Each size runs in a fresh interpreter that imports the app (AWS mode imports no model), then
does to one JPEG what an analysis does to it before and around the Rekognition calls: decode
and validate (`decode_photo`), encode for DetectFaces and DetectLabels (`image_bytes`, twice),
crop a face for SearchFacesByImage (`face_crop`), and encode the stored copy and thumbnail.
With --photos N the N decoded photos are held together, as an enrolment of N photos does.
It prints the peak resident set (VmHWM) above the process's baseline after the imports.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import io, sys
sys.path.insert(0, {root!r})
from PIL import Image
import webapp, webapp.services.recognition, webapp.backends.aws.rekognition_images as ri
from webapp.domain import BoundingBox
from webapp.images import decode_photo, encode_jpeg

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024

mp, photos = {mp}, {photos}
side = int((mp * 1e6 / 1.5) ** 0.5)
small = Image.effect_noise((side // 8, int(side * 1.5) // 8), 60).convert("RGB")
buf = io.BytesIO(); small.resize((int(side * 1.5), side)).save(buf, "JPEG", quality=92); data = buf.getvalue()
del small, buf
base = hwm()
held = []
for _ in range(photos):
    photo = decode_photo(data, 200 * 1024 * 1024, 400_000_000)
    ri.image_bytes(photo.image); ri.image_bytes(photo.image)
    ri.face_crop(photo.image, BoundingBox(0.4, 0.4, 0.1, 0.1))
    photo.jpeg(1600); encode_jpeg(photo.image, 320)
    held.append(photo)
print(f"{{mp}} {{len(data) / 1048576:.1f}} {{hwm() - base:.0f}}")
"""


def main() -> None:
    """Print peak extra memory per upload size."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--megapixels", default="12,24,40,60")
    parser.add_argument("--photos", type=int, default=1)
    args = parser.parse_args()
    print(f"photos held together: {args.photos}")
    print(f"{'MP':>4} {'JPEG MB':>8} {'peak extra MB':>14}")
    for mp in (int(v) for v in args.megapixels.split(",")):
        code = CHILD.format(root=str(ROOT), mp=mp, photos=args.photos)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
        print(f"{out[0]:>4} {out[1]:>8} {out[2]:>14}")


if __name__ == "__main__":
    main()
