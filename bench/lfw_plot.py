"""ROC and DET curves of the LFW-dev bench (matplotlib, bench-only dependency)."""
from __future__ import annotations

from pathlib import Path

import numpy as np

COLOURS = {"sface": "#2563eb", "dlib": "#16a34a", "fused": "#dc2626"}


def _curve(genuine: np.ndarray, impostor: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(FMR, FNMR, threshold) at every distinct score, from the highest threshold down."""
    scores = np.concatenate([genuine, impostor])
    is_genuine = np.concatenate([np.ones(len(genuine), bool), np.zeros(len(impostor), bool)])
    order = np.argsort(-scores, kind="stable")
    tp, fp = np.cumsum(is_genuine[order]), np.cumsum(~is_genuine[order])
    keep = np.flatnonzero(np.diff(scores[order], append=-np.inf) != 0)  # last index of each tied score
    return fp[keep] / len(impostor), 1 - tp[keep] / len(genuine), scores[order][keep]


def roc_det(curves: dict[str, tuple[np.ndarray, np.ndarray]], defaults: dict[str, float], path: Path) -> None:
    """Write ROC (TAR against FMR) and DET (FNMR against FMR) side by side, the default threshold marked."""
    import matplotlib

    matplotlib.use("Agg")  # no display here
    import matplotlib.pyplot as plt

    fig, (roc, det) = plt.subplots(1, 2, figsize=(12, 5), dpi=100)
    for name, (genuine, impostor) in curves.items():
        fmr, fnmr, thresholds = _curve(genuine, impostor)
        colour = COLOURS.get(name, None)
        roc.plot(fmr, 1 - fnmr, label=name, color=colour)
        det.plot(fmr, fnmr, label=name, color=colour)
        at = np.mean(impostor >= defaults[name]), np.mean(genuine < defaults[name])
        roc.plot(at[0], 1 - at[1], "o", color=colour)
        det.plot(at[0], at[1], "o", color=colour, label=f"{name} at similarity 80")
    for axis in (roc, det):
        axis.set_xscale("log")
        axis.set_xlim(1e-6, 1)
        axis.axvline(1e-3, color="grey", linestyle=":", linewidth=1)
        axis.grid(True, which="both", alpha=0.3)
        axis.set_xlabel("false-match rate per pair (impostor pairs accepted)")
        axis.legend(loc="lower right" if axis is roc else "upper right")
    roc.set_ylim(0.9, 1.0)
    roc.set_ylabel("true-accept rate")
    roc.set_title("ROC, LFW-dev every pair (3,890 images)")
    det.set_yscale("log")
    det.set_ylim(1e-3, 1)
    det.set_ylabel("false non-match rate")
    det.set_title("DET, same pairs; dotted: FMR 0.1 %")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path)
    plt.close(fig)
