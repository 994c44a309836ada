"""Writes tiny networks in dlib's serialization and runs dlib's forward pass in numpy.

Test helpers only: they let the reader and graph builder be checked on small
synthetic nets (fast, no 22 MB weights) against dlib's documented semantics.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

EMPTY_TENSOR = b"\x01\x02" + b"\x01\x00" * 4
TRAILER = b"110" + EMPTY_TENSOR * 3  # add_layer's flags and its three empty tensors


def d_int(value: int) -> bytes:
    """dlib's integer encoding."""
    raw = abs(value).to_bytes(max(1, (abs(value).bit_length() + 7) // 8), "little") if value else b""
    return bytes([len(raw) | (0x80 if value < 0 else 0)]) + raw


def d_float(value: float) -> bytes:
    """dlib's float encoding: integer mantissa and exponent."""
    if value == 0:
        return d_int(0) + d_int(0)
    mantissa, exponent = math.frexp(value)
    return d_int(int(mantissa * 2**53)) + d_int(exponent - 53)


def d_str(text: str) -> bytes:
    """A length-prefixed string."""
    return d_int(len(text)) + text.encode()


def d_tensor(values: np.ndarray) -> bytes:
    """A version-2 tensor holding ``values`` as one column (n x 1 x 1 x 1)."""
    flat = np.asarray(values, "<f4").ravel()
    return d_int(2) + d_int(flat.size) + d_int(1) * 3 + flat.tobytes()


def d_alias(shape: tuple[int, int, int, int]) -> bytes:
    """An alias_tensor header."""
    return d_int(1) + b"".join(d_int(n) for n in shape)


@dataclass
class TinyNet:
    """A small dlib-style ResNet: weights plus the serialized bytes."""

    size: int
    mean: tuple[float, float, float]
    layers: list[tuple[str, dict]] = field(default_factory=list)


def con(w: np.ndarray, b: np.ndarray, stride: int) -> tuple[str, dict]:
    """A con_ layer spec (dlib pads 'same' only at stride 1)."""
    return "con", {"w": w, "b": b, "stride": stride, "pad": 0 if stride > 1 else w.shape[-1] // 2}


def tiny_net(rng: np.random.Generator, size: int = 40) -> TinyNet:
    """Stem, one identity block at 4 channels, one down block to 6 channels; 5-d output."""
    def conv(cout: int, cin: int, k: int, stride: int) -> tuple[str, dict]:
        return con(rng.normal(0, 0.3, (cout, cin, k, k)), rng.normal(0, 0.1, cout), stride)

    def affine(c: int) -> tuple[str, dict]:
        return "affine", {"g": rng.uniform(0.5, 1.5, c), "b": rng.normal(0, 0.1, c)}

    net = TinyNet(size, (122.5, 117.0, 104.25))
    net.layers = [conv(4, 3, 7, 2), affine(4), ("relu", {}), ("max_pool", {"k": 3, "s": 2})]
    net.layers += [conv(4, 4, 3, 1), affine(4), ("relu", {}), conv(4, 4, 3, 1), affine(4),
                   ("add", {}), ("relu", {})]
    net.layers += [conv(6, 4, 3, 2), affine(6), ("relu", {}), conv(6, 6, 3, 1), affine(6),
                   ("avg_pool", {"k": 2, "s": 2}), ("add", {}), ("relu", {})]
    net.layers += [("avg_pool", {"k": 0, "s": 1}), ("fc", {"w": rng.normal(0, 0.5, (6, 5))})]
    return net


def serialize(net: TinyNet) -> bytes:
    """The bytes dlib would write for ``net`` (wrapper versions simplified to add_layer's)."""
    out = d_int(1) + d_str("loss_metric_2") + d_float(0.04) + d_float(0.6)
    out += d_int(2) * (len(net.layers) - 1) + d_int(3)
    out += d_str("input_rgb_image_sized") + b"".join(d_float(m) for m in net.mean)
    out += d_int(net.size) * 2
    for i, (kind, p) in enumerate(net.layers):
        out += _layer_bytes(kind, p) + TRAILER + (d_int(1) if i == 0 else b"")
    return out


def _layer_bytes(kind: str, p: dict) -> bytes:
    """One layer's details."""
    if kind == "con":
        cout, cin, k, _ = p["w"].shape
        head = d_str("con_4") + d_tensor(np.concatenate([p["w"].ravel(), p["b"]]))
        geometry = [cout, k, k, p["stride"], p["stride"], p["pad"], p["pad"]]
        return (head + b"".join(d_int(v) for v in geometry) + d_alias((cout, cin, k, k))
                + d_alias((1, cout, 1, 1)) + d_float(1) * 3 + d_float(0))
    if kind == "affine":
        c = p["g"].size
        return (d_str("affine_") + d_tensor(np.concatenate([p["g"], p["b"]]))
                + d_alias((1, c, 1, 1)) * 2 + d_int(0))
    if kind in ("max_pool", "avg_pool"):
        return d_str(kind + "_2") + b"".join(d_int(v) for v in (p["k"], p["k"], p["s"], p["s"], 0, 0))
    if kind == "fc":
        n_in, n_out = p["w"].shape
        return (d_str("fc_2") + d_int(n_out) + d_int(n_in) + d_tensor(p["w"])
                + d_alias((n_in, n_out, 1, 1)) + d_alias((0, 0, 0, 0)) + d_int(1) + d_float(1) * 4)
    return d_str({"relu": "relu_", "add": "add_prev_"}[kind])


def forward(net: TinyNet, chips: np.ndarray) -> np.ndarray:
    """dlib's forward pass in plain numpy: N x S x S x 3 pixels -> N x outputs."""
    x = (chips.astype(np.float64) - np.array(net.mean)) / 256.0
    x = x.transpose(0, 3, 1, 2)
    skip, block_starts, previous = None, False, ""
    for kind, p in net.layers:
        if kind == "con" and block_starts:
            skip, block_starts = x, False  # dlib's tag1: the block's input
        if kind == "con":
            x = _conv(x, p["w"], p["b"], p["stride"], p["pad"])
        elif kind == "affine":
            x = x * p["g"][None, :, None, None] + p["b"][None, :, None, None]
        elif kind == "relu":
            x = np.maximum(x, 0)
            block_starts = previous == "add"
        elif kind == "max_pool":
            x, block_starts = _pool(x, p["k"], p["s"], np.max), True
        elif kind == "avg_pool" and p["k"] == 0:
            x = x.mean(axis=(2, 3))
        elif kind == "avg_pool":
            skip = _pool(skip, p["k"], p["s"], np.mean)
        elif kind == "add":
            x = _zero_fill_add(x, skip)
        elif kind == "fc":
            x = x @ p["w"]
        previous = kind
    return x


def _conv(x: np.ndarray, w: np.ndarray, b: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """Cross-correlation with zero padding, like dlib's con_."""
    x = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    k = w.shape[-1]
    out_h = 1 + (x.shape[2] - k) // stride
    out_w = 1 + (x.shape[3] - k) // stride
    out = np.zeros((x.shape[0], w.shape[0], out_h, out_w))
    for i in range(k):
        for j in range(k):
            patch = x[:, :, i:i + stride * out_h:stride, j:j + stride * out_w:stride]
            out += np.einsum("nchw,oc->nohw", patch, w[:, :, i, j])
    return out + b[None, :, None, None]


def _pool(x: np.ndarray, k: int, s: int, reduce) -> np.ndarray:
    """Unpadded k x k pooling with stride s."""
    out_h, out_w = 1 + (x.shape[2] - k) // s, 1 + (x.shape[3] - k) // s
    windows = [x[:, :, i:i + s * out_h:s, j:j + s * out_w:s] for i in range(k) for j in range(k)]
    return reduce(np.stack(windows), axis=0)


def _zero_fill_add(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dlib's add_prev: the larger shape, the smaller tensor read as zero where missing."""
    shape = tuple(max(p, q) for p, q in zip(a.shape, b.shape, strict=True))
    out = np.zeros(shape)
    out[tuple(slice(0, n) for n in a.shape)] += a
    out[tuple(slice(0, n) for n in b.shape)] += b
    return out
