"""Read dlib's binary serialization of its face-recognition ResNet with numpy only.

dlib writes a network outside-in: the loss layer's details, then one version
int per wrapper layer (add_layer = 2, the one on the input = 3, tag/skip = 1),
then the input layer, then each layer's details from the input outwards, each
followed by add_layer's bookkeeping (three bools, three tensors). Tag and skip
layers write nothing after their version, so the residual wiring is not in the
details stream; ``dlib_graph`` rebuilds it from the known layer pattern.
"""
from __future__ import annotations

import builtins
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

# Layer names exactly as dlib writes them; a different string means a different
# (unsupported) layer version, so the reader refuses rather than guesses.
INPUT_NAME = "input_rgb_image_sized"
SUPPORTED = ("con_4", "affine_", "relu_", "max_pool_2", "avg_pool_2", "add_prev_", "fc_2")


class DlibFormatError(ValueError):
    """The file is not a dlib ResNet this reader understands."""


@dataclass
class Layer:
    """One layer's details: its dlib name, integer/float settings and weight arrays."""

    name: str
    ints: dict[str, int] = field(default_factory=dict)
    arrays: dict[str, np.ndarray] = field(default_factory=dict)


@dataclass
class DlibNet:
    """The parsed network: input mean (RGB), chip size and layers from input to output."""

    mean_rgb: tuple[float, float, float]
    size: int
    layers: list[Layer]


class _Stream:
    """Cursor over the file's bytes with dlib's primitive decoders."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        """One raw byte."""
        if self.pos >= len(self.data):
            raise DlibFormatError("file ends early")
        self.pos += 1
        return self.data[self.pos - 1]

    def int(self) -> int:
        """dlib's integer: a control byte (low nibble = byte count, 0x80 = negative), then LE bytes."""
        control = self.byte()
        count = control & 0x0F
        if count > 8:
            raise DlibFormatError(f"bad integer header 0x{control:02x} at byte {self.pos - 1}")
        if self.pos + count > len(self.data):
            raise DlibFormatError("file ends early")
        value = int.from_bytes(self.data[self.pos:self.pos + count], "little")
        self.pos += count
        return -value if control & 0x80 else value

    def float(self) -> float:
        """dlib's portable float: integer mantissa times two to an integer exponent."""
        mantissa, exponent = self.int(), self.int()
        return float(np.ldexp(float(mantissa), exponent))

    def string(self) -> str:
        """A length-prefixed string."""
        n = self.int()
        if self.pos + n > len(self.data):
            raise DlibFormatError("file ends early")
        self.pos += n
        return self.data[self.pos - n:self.pos].decode("latin-1")

    def bool(self) -> bool:
        """dlib writes bools as the characters '1' and '0'."""
        return self.byte() == ord("1")

    def tensor(self) -> np.ndarray:
        """A resizable_tensor (version 2): four dims, then little-endian float32 values."""
        if self.int() != 2:
            raise DlibFormatError(f"unsupported tensor version at byte {self.pos}")
        shape = tuple(self.int() for _ in range(4))
        count = int(np.prod(shape))
        end = self.pos + 4 * count
        if end > len(self.data):
            raise DlibFormatError("tensor runs past the end of the file")
        values = np.frombuffer(self.data, dtype="<f4", count=count, offset=self.pos)
        self.pos = end
        return values.reshape(shape).astype(np.float32)

    def alias(self) -> tuple[builtins.int, tuple[builtins.int, ...]]:  # `int` here is the method above
        """An alias_tensor header: version 1, four dims (no data; offsets are implicit)."""
        if self.int() != 1:
            raise DlibFormatError(f"unsupported alias_tensor version at byte {self.pos}")
        shape = tuple(self.int() for _ in range(4))
        return int(np.prod(shape)), shape


def read_dlib_net(path: str | Path) -> DlibNet:
    """Parse a ``dlib_face_recognition_resnet_model_v1.dat``-style file."""
    return parse_dlib_net(Path(path).read_bytes())


def parse_dlib_net(data: bytes) -> DlibNet:
    """Parse dlib's serialized loss_metric ResNet from bytes."""
    s = _Stream(data)
    if s.int() != 1 or s.string() != "loss_metric_2":
        raise DlibFormatError("not a dlib loss_metric network")
    s.float(), s.float()  # margin and distance threshold: training settings only
    while True:  # wrapper versions until the input layer's name
        start = s.pos
        version = s.int()
        if version not in (1, 2, 3):
            s.pos = start
            break
    if s.string() != INPUT_NAME:
        raise DlibFormatError("expected an input_rgb_image_sized input layer")
    mean = (s.float(), s.float(), s.float())
    rows, cols = s.int(), s.int()
    if rows != cols:
        raise DlibFormatError(f"expected a square input, got {rows}x{cols}")
    layers = [_read_layer(s, first=True)]
    while s.pos < len(data):
        layers.append(_read_layer(s, first=False))
    return DlibNet(mean_rgb=mean, size=rows, layers=layers)


def _read_layer(s: _Stream, first: bool) -> Layer:
    """One layer's details followed by add_layer's bookkeeping."""
    name = s.string()
    if name not in SUPPORTED:
        raise DlibFormatError(f"unsupported dlib layer {name!r}")
    layer = Layer(name)
    _READERS.get(name, lambda _s, _l: None)(s, layer)
    for _ in range(3):
        s.bool()  # setup-called / gradient-stale / output-disabled flags
    for _ in range(3):
        s.tensor()  # gradients and cached outputs: empty in a cleaned, saved net
    if first:
        s.int()  # the add_layer over the input (version 3) writes one extra int
    return layer


def _read_con(s: _Stream, layer: Layer) -> None:
    """con_4: params tensor, geometry, filter/bias aliases, four multipliers."""
    params = s.tensor().ravel()
    for key in ("filters", "rows", "cols", "stride_y", "stride_x", "pad_y", "pad_x"):
        layer.ints[key] = s.int()
    n_w, w_shape = s.alias()
    n_b, _ = s.alias()
    if n_w + n_b != params.size:
        raise DlibFormatError("con_ parameter count does not match its filters and biases")
    layer.arrays["weight"] = params[:n_w].reshape(w_shape)
    layer.arrays["bias"] = params[n_w:]
    for _ in range(4):
        s.float()


def _read_affine(s: _Stream, layer: Layer) -> None:
    """affine_: params = [gamma | beta], two aliases, the mode (0 = per channel)."""
    params = s.tensor().ravel()
    n_g, _ = s.alias()
    s.alias()
    layer.ints["mode"] = s.int()
    layer.arrays["gamma"] = params[:n_g]
    layer.arrays["beta"] = params[n_g:]


def _read_pool(s: _Stream, layer: Layer) -> None:
    """max_pool_2 / avg_pool_2: window, stride, padding (a 0 window means the whole map)."""
    for key in ("rows", "cols", "stride_y", "stride_x", "pad_y", "pad_x"):
        layer.ints[key] = s.int()


def _read_fc(s: _Stream, layer: Layer) -> None:
    """fc_2: outputs, inputs, params (inputs x outputs, row-major), aliases, bias mode."""
    outputs, inputs = s.int(), s.int()
    params = s.tensor().ravel()
    n_w, _ = s.alias()
    s.alias()
    layer.ints["bias_mode"] = s.int()
    for _ in range(4):
        s.float()
    if n_w != inputs * outputs:
        raise DlibFormatError("fc_ weight count does not match its inputs and outputs")
    layer.arrays["weight"] = params[:n_w].reshape(inputs, outputs)
    layer.arrays["bias"] = params[n_w:]


_READERS = {
    "con_4": _read_con,
    "affine_": _read_affine,
    "max_pool_2": _read_pool,
    "avg_pool_2": _read_pool,
    "fc_2": _read_fc,
}

__all__ = ["DlibFormatError", "DlibNet", "Layer", "parse_dlib_net", "read_dlib_net"]
