"""EfficientNet-Lite0 as an in-memory ONNX graph, built from a lukemelas-style state dict.

Batch norms are folded into the preceding convolutions; "same" padding is
reproduced with explicit (TF-style, extra pixel bottom/right) pads for a
fixed 224x224 input.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from PIL import Image

INPUT_SIZE = 224
RESIZE_SHORTER = 256  # 224/256 = the 0.875 centre crop EfficientNet was evaluated with
# Lite models were trained on inputs scaled to [-1, 1] (TF: (x - 127) / 128); checked
# empirically against the ImageNet mean/std on skimage's chelsea and coffee photos.
MEAN = np.array([127.0, 127.0, 127.0], dtype=np.float32)
STD = np.array([128.0, 128.0, 128.0], dtype=np.float32)
BN_EPS = 1e-3  # TF-trained EfficientNets use 1e-3, not PyTorch's default 1e-5
# Stride of each stage's first block; stages are found where output channels change.
STAGE_STRIDES = (1, 2, 2, 2, 1, 2, 1)
OPSET = 13


@dataclass(frozen=True)
class BlockSpec:
    """One MBConv block as read from the state dict."""

    index: int
    kernel: int
    stride: int
    expand: bool
    in_ch: int
    out_ch: int


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TF 'SAME' padding for one axis as (before, after); the odd pixel goes after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def block_specs(sd: dict[str, np.ndarray]) -> list[BlockSpec]:
    """Derive the MBConv block list (kernels, strides, channels) from state-dict keys."""
    specs: list[BlockSpec] = []
    stage, prev_out, i = -1, None, 0
    while f"_blocks.{i}._depthwise_conv.weight" in sd:
        p = f"_blocks.{i}."
        dw = sd[p + "_depthwise_conv.weight"]
        out_ch = sd[p + "_project_conv.weight"].shape[0]
        expand = p + "_expand_conv.weight" in sd
        in_ch = sd[p + "_expand_conv.weight"].shape[1] if expand else dw.shape[0]
        first = out_ch != prev_out
        stage += int(first)
        stride = STAGE_STRIDES[stage] if first else 1
        specs.append(BlockSpec(i, dw.shape[-1], stride, expand, in_ch, out_ch))
        prev_out, i = out_ch, i + 1
    return specs


def fold_bn(sd: dict[str, np.ndarray], conv: str, bn: str) -> tuple[np.ndarray, np.ndarray]:
    """Fold BatchNorm ``bn`` into the bias-free conv ``conv``: returns (weight, bias)."""
    scale = sd[bn + ".weight"] / np.sqrt(sd[bn + ".running_var"] + BN_EPS)
    weight = sd[conv + ".weight"] * scale[:, None, None, None]
    bias = sd[bn + ".bias"] - sd[bn + ".running_mean"] * scale
    return weight.astype(np.float32), bias.astype(np.float32)


class _GraphBuilder:
    """Accumulates ONNX nodes/initializers while tracking the spatial size."""

    def __init__(self, sd: dict[str, np.ndarray]) -> None:
        self.sd = sd
        self.nodes: list[onnx.NodeProto] = []
        self.inits: list[onnx.TensorProto] = [
            numpy_helper.from_array(np.array(0.0, np.float32), "relu6_min"),
            numpy_helper.from_array(np.array(6.0, np.float32), "relu6_max"),
        ]
        self.size = INPUT_SIZE

    def conv(self, x: str, conv: str, bn: str, stride: int = 1, groups: int = 1) -> str:
        """Conv + folded BN with explicit TF-same pads; returns the output name."""
        w, b = fold_bn(self.sd, conv, bn)
        k = w.shape[-1]
        before, after = same_pads(self.size, k, stride)
        self.inits += [numpy_helper.from_array(w, conv + ".w"), numpy_helper.from_array(b, conv + ".b")]
        out = conv + ".out"
        self.nodes.append(helper.make_node(
            "Conv", [x, conv + ".w", conv + ".b"], [out], kernel_shape=[k, k],
            strides=[stride, stride], pads=[before, before, after, after], group=groups,
        ))
        self.size = math.ceil(self.size / stride)
        return out

    def relu6(self, x: str) -> str:
        """ReLU6 as Clip(0, 6)."""
        self.nodes.append(helper.make_node("Clip", [x, "relu6_min", "relu6_max"], [x + ".r6"]))
        return x + ".r6"

    def block(self, x: str, spec: BlockSpec) -> str:
        """One MBConv block: [expand 1x1] -> depthwise kxk -> project 1x1 [+ skip]."""
        p = f"_blocks.{spec.index}."
        h = x
        if spec.expand:
            h = self.relu6(self.conv(h, p + "_expand_conv", p + "_bn0"))
        channels = self.sd[p + "_depthwise_conv.weight"].shape[0]
        h = self.relu6(self.conv(h, p + "_depthwise_conv", p + "_bn1", spec.stride, channels))
        h = self.conv(h, p + "_project_conv", p + "_bn2")
        if spec.stride == 1 and spec.in_ch == spec.out_ch:
            self.nodes.append(helper.make_node("Add", [h, x], [p + "add"]))
            h = p + "add"
        return h

    def head(self, x: str) -> None:
        """1x1 head conv, global pooling and the classifier producing logits and probs."""
        h = self.relu6(self.conv(x, "_conv_head", "_bn1"))
        fc_w = self.sd["_fc.weight"].astype(np.float32)
        fc_b = self.sd["_fc.bias"].astype(np.float32)
        self.inits += [numpy_helper.from_array(fc_w, "fc.w"), numpy_helper.from_array(fc_b, "fc.b")]
        self.nodes += [
            helper.make_node("GlobalAveragePool", [h], ["pooled"]),
            helper.make_node("Flatten", ["pooled"], ["features"], axis=1),
            helper.make_node("Gemm", ["features", "fc.w", "fc.b"], ["logits"], transB=1),
            helper.make_node("Softmax", ["logits"], ["probs"], axis=1),
        ]


def build_model(sd: dict[str, np.ndarray]) -> onnx.ModelProto:
    """Build the EfficientNet-Lite0 ONNX model (input 'input' Nx3x224x224; outputs 'probs', 'logits')."""
    g = _GraphBuilder(sd)
    x = g.relu6(g.conv("input", "_conv_stem", "_bn0", stride=2))
    for spec in block_specs(sd):
        x = g.block(x, spec)
    g.head(x)
    classes = sd["_fc.bias"].shape[0]
    graph = helper.make_graph(
        g.nodes, "efficientnet_lite0",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", 3, INPUT_SIZE, INPUT_SIZE])],
        [helper.make_tensor_value_info("probs", TensorProto.FLOAT, ["N", classes]),
         helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", classes])],
        initializer=g.inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = 8  # widely supported by onnxruntime builds
    return model


def build_model_bytes(sd: dict[str, np.ndarray]) -> bytes:
    """Serialized ONNX model ready for ``onnxruntime.InferenceSession(bytes)``."""
    data: bytes = build_model(sd).SerializeToString()
    return data


def _to_rgb(rgb: np.ndarray) -> np.ndarray:
    """Coerce grey or RGBA input to HxWx3 uint8."""
    arr = np.asarray(rgb)
    if arr.ndim == 2:
        arr = np.stack([arr] * 3, axis=-1)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ValueError(f"expected an HxWx3 image, got shape {arr.shape}")
    arr = arr[:, :, :3]
    if arr.dtype != np.uint8:
        arr = np.clip(arr, 0, 255).astype(np.uint8)
    return arr


def preprocess(rgb: np.ndarray) -> np.ndarray:
    """Resize shorter side to 256 (bilinear), centre-crop 224, scale to [-1, 1]; -> 1x3x224x224."""
    img = Image.fromarray(_to_rgb(rgb))
    w, h = img.size
    scale = RESIZE_SHORTER / min(w, h)
    nw, nh = max(INPUT_SIZE, round(w * scale)), max(INPUT_SIZE, round(h * scale))
    img = img.resize((nw, nh), Image.Resampling.BILINEAR)
    left, top = (nw - INPUT_SIZE) // 2, (nh - INPUT_SIZE) // 2
    img = img.crop((left, top, left + INPUT_SIZE, top + INPUT_SIZE))
    x = (np.asarray(img, dtype=np.float32) - MEAN) / STD
    return np.ascontiguousarray(x.transpose(2, 0, 1)[None])
