"""The EfficientNet-Lite0 ONNX graph, built with the `onnx` package from a state dict.

Imported only when the graph has to be built (no cached copy yet): `onnx` costs ~0.4-1 s
to import (through ml_dtypes), so nothing on the start-up path imports this module.
"""
from __future__ import annotations

import math

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

from webapp.backends.local.efficientnet import INPUT_SIZE, OPSET, BlockSpec, block_specs, fold_bn, same_pads


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
