"""dlib's face-recognition ResNet as an ONNX graph, built from the parsed .dat layers.

Imports ``onnx``, so only the first build (not a cached start-up) pays for it.
Affine layers (dlib's frozen batch norm) are folded into the preceding
convolution. The residual wiring, which dlib's file does not spell out (tag and
skip layers carry no data), follows dlib's ``dnn_face_recognition_ex.cpp``:
``block = affine(con(relu(affine(con(x)))))``, then ``relu(block + x)`` or, for
a down block, ``relu(block + avg_pool2x2(x))``. When the two summands differ in
size dlib's add_prev zero-fills the smaller one (more channels; and 3x3 vs 4x4
or 1x1 vs 2x2 maps at the two last stages); the graph reproduces that with Pad.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from webapp.backends.local.dlib_reader import DlibFormatError, DlibNet, Layer

OPSET = 13
INPUT = "rgb"  # N x size x size x 3 float32 pixel values 0..255, RGB
OUTPUT = "faceprint"  # N x 128, not normalised (dlib's raw output)
DLIB_INPUT_SCALE = 1.0 / 256.0  # dlib's input_rgb_image: (pixel - mean) / 256


class _Builder:
    """Accumulates nodes and initializers while tracking each tensor's (C, H, W)."""

    def __init__(self, net: DlibNet) -> None:
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = []
        self.shapes: dict[str, tuple[int, int, int]] = {}
        self.count = 0
        self.size = net.size

    def name(self, kind: str) -> str:
        """A fresh tensor name."""
        self.count += 1
        return f"{kind}{self.count}"

    def const(self, value: np.ndarray, kind: str) -> str:
        """Register an initializer and return its name."""
        name = self.name(kind)
        self.inits.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def node(self, op: str, inputs: list[str], shape: tuple[int, int, int], **attrs: Any) -> str:
        """Append one node with a single output of known shape."""
        out = self.name(op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], **attrs))
        self.shapes[out] = shape
        return out

    def stem_input(self, net: DlibNet) -> str:
        """NHWC 0..255 pixels -> NCHW (pixel - mean) / 256, as dlib's input layer does."""
        size = net.size
        x = self.node("Transpose", [INPUT], (3, size, size), perm=[0, 3, 1, 2])
        mean = self.const(np.array(net.mean_rgb, np.float32).reshape(1, 3, 1, 1), "mean")
        scale = self.const(np.array(DLIB_INPUT_SCALE, np.float32), "scale")
        x = self.node("Sub", [x, mean], (3, size, size))
        return self.node("Mul", [x, scale], (3, size, size))

    def conv_affine(self, x: str, con: Layer, affine: Layer) -> str:
        """A con_ layer with the following affine_ folded into its weights and bias."""
        if con.name != "con_4" or affine.name != "affine_" or affine.ints.get("mode") != 0:
            raise DlibFormatError(f"expected con_ then per-channel affine_, got {con.name}, {affine.name}")
        gamma, beta = affine.arrays["gamma"], affine.arrays["beta"]
        weight = con.arrays["weight"] * gamma[:, None, None, None]
        bias = con.arrays["bias"] * gamma + beta
        g = con.ints
        _, h, w = self.shapes.get(x, (0, self.size, self.size))
        out_h = 1 + (h + 2 * g["pad_y"] - g["rows"]) // g["stride_y"]
        out_w = 1 + (w + 2 * g["pad_x"] - g["cols"]) // g["stride_x"]
        return self.node(
            "Conv", [x, self.const(weight, "w"), self.const(bias, "b")], (g["filters"], out_h, out_w),
            kernel_shape=[g["rows"], g["cols"]], strides=[g["stride_y"], g["stride_x"]],
            pads=[g["pad_y"], g["pad_x"], g["pad_y"], g["pad_x"]],
        )

    def relu(self, x: str) -> str:
        """Elementwise max(0, x)."""
        return self.node("Relu", [x], self.shapes[x])

    def pool(self, x: str, layer: Layer, op: str) -> str:
        """max_pool_ / avg_pool_ with explicit window, stride and padding."""
        g = layer.ints
        c, h, w = self.shapes[x]
        out = (c, 1 + (h + 2 * g["pad_y"] - g["rows"]) // g["stride_y"],
               1 + (w + 2 * g["pad_x"] - g["cols"]) // g["stride_x"])
        return self.node(
            op, [x], out, kernel_shape=[g["rows"], g["cols"]], strides=[g["stride_y"], g["stride_x"]],
            pads=[g["pad_y"], g["pad_x"], g["pad_y"], g["pad_x"]],
        )

    def padded_to(self, x: str, shape: tuple[int, int, int]) -> str:
        """Zero-pad ``x`` at the end of C, H and W up to ``shape`` (dlib's add_prev semantics)."""
        extra = [t - s for t, s in zip(shape, self.shapes[x], strict=True)]
        if not any(extra):
            return x
        pads = self.const(np.array([0, 0, 0, 0, 0, *extra], np.int64), "pads")
        return self.node("Pad", [x, pads], shape)

    def add(self, a: str, b: str) -> str:
        """dlib's add_prev: sum over the larger of the two shapes, missing values read as 0."""
        channels, height, width = (max(p, q) for p, q in zip(self.shapes[a], self.shapes[b], strict=True))
        shape = (channels, height, width)
        return self.node("Add", [self.padded_to(a, shape), self.padded_to(b, shape)], shape)


def _residual_blocks(g: _Builder, x: str, layers: list[Layer]) -> tuple[str, int]:
    """Consume residual blocks from the layer list; returns the output and the index reached."""
    i = 0
    while i + 5 < len(layers) and layers[i].name == "con_4":
        h = g.relu(g.conv_affine(x, layers[i], layers[i + 1]))
        if layers[i + 2].name != "relu_":
            raise DlibFormatError("expected relu_ inside a residual block")
        h = g.conv_affine(h, layers[i + 3], layers[i + 4])
        i += 5
        skip = x
        if layers[i].name == "avg_pool_2":
            skip = g.pool(x, layers[i], "AveragePool")
            i += 1
        if layers[i].name != "add_prev_" or layers[i + 1].name != "relu_":
            raise DlibFormatError(f"expected add_prev_ then relu_ after a block, got {layers[i].name}")
        x = g.relu(g.add(h, skip))
        i += 2
    return x, i


def build_model(net: DlibNet) -> onnx.ModelProto:
    """The ONNX model: input 'rgb' (N x S x S x 3, 0..255), output 'faceprint' (N x 128)."""
    g = _Builder(net)
    layers = net.layers
    if [layer.name for layer in layers[:4]] != ["con_4", "affine_", "relu_", "max_pool_2"]:
        raise DlibFormatError("expected the stem con_, affine_, relu_, max_pool_")
    x = g.relu(g.conv_affine(g.stem_input(net), layers[0], layers[1]))
    x = g.pool(x, layers[3], "MaxPool")
    x, used = _residual_blocks(g, x, layers[4:])
    tail = layers[4 + used:]
    if [layer.name for layer in tail] != ["avg_pool_2", "fc_2"] or tail[0].ints["rows"] != 0:
        raise DlibFormatError("expected avg_pool_everything then fc_no_bias at the end")
    pooled = g.node("GlobalAveragePool", [x], (g.shapes[x][0], 1, 1))
    flat = g.node("Flatten", [pooled], (g.shapes[x][0], 1, 1), axis=1)
    fc = tail[1]
    if fc.arrays["bias"].size:
        raise DlibFormatError("expected fc_no_bias (an fc_ without bias)")
    dims = fc.arrays["weight"].shape[1]
    g.nodes.append(helper.make_node("MatMul", [flat, g.const(fc.arrays["weight"], "fc")], [OUTPUT]))
    graph = helper.make_graph(
        g.nodes, "dlib_face_recognition_resnet_v1",
        [helper.make_tensor_value_info(INPUT, TensorProto.FLOAT, ["N", net.size, net.size, 3])],
        [helper.make_tensor_value_info(OUTPUT, TensorProto.FLOAT, ["N", dims])],
        initializer=g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8  # widely supported by onnxruntime builds
    return model


def build_model_bytes(net: DlibNet) -> bytes:
    """Serialized ONNX model ready for ``onnxruntime.InferenceSession(bytes)``."""
    data: bytes = build_model(net).SerializeToString()
    return data
