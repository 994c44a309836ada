"""Read a PyTorch ``.pth`` state dict into numpy arrays without importing torch.

Both on-disk layouts are handled: the zip archive (``<name>/data.pkl`` plus
``<name>/data/<key>`` blobs, torch >= 1.6) and the legacy stream (a chain of
pickles followed by raw storages), which is what the EfficientNet-Lite0 file
actually uses. Unpickling is restricted to a short allow-list so a crafted
file cannot run code.
"""
from __future__ import annotations

import collections
import io
import pickle
import struct
import zipfile
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

_STORAGE_DTYPES: dict[str, np.dtype] = {
    "FloatStorage": np.dtype("<f4"),
    "DoubleStorage": np.dtype("<f8"),
    "HalfStorage": np.dtype("<f2"),
    "LongStorage": np.dtype("<i8"),
    "IntStorage": np.dtype("<i4"),
    "ShortStorage": np.dtype("<i2"),
    "CharStorage": np.dtype("i1"),
    "ByteStorage": np.dtype("u1"),
    "BoolStorage": np.dtype("?"),
}
_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C


class UnsafePickleError(pickle.UnpicklingError):
    """Raised when a checkpoint references anything outside the allow-list."""


class _StorageType:
    """Stand-in for ``torch.FloatStorage`` & co: only remembers the dtype."""

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype


class _Storage:
    """A flat typed buffer whose bytes may arrive after unpickling (legacy format)."""

    def __init__(self, dtype: np.dtype, numel: int) -> None:
        self.dtype, self.numel = dtype, numel
        self.data: np.ndarray | None = None


class _TensorRef:
    """A tensor view (offset, size, stride) into a storage, materialised later."""

    def __init__(self, storage: _Storage, offset: int, size: tuple, stride: tuple) -> None:
        self.storage, self.offset = storage, int(offset)
        self.size, self.stride = tuple(size), tuple(stride)

    def to_numpy(self) -> np.ndarray:
        """Copy the strided view out of the storage as a native-endian array."""
        data = self.storage.data
        if data is None:
            raise ValueError("tensor storage was never filled")
        if not self.size:
            return np.array(data[self.offset], dtype=data.dtype.newbyteorder("="))
        # as_strided does no bounds checks, so a crafted file must not point outside the buffer.
        if len(self.size) != len(self.stride) or min(self.stride) < 0 or min(self.size) < 0 or self.offset < 0:
            raise ValueError("malformed tensor geometry")
        span = self.offset + sum((n - 1) * s for n, s in zip(self.size, self.stride, strict=True)) + 1
        if min(self.size) > 0 and span > data.size:
            raise ValueError("tensor view exceeds its storage")
        item = data.itemsize
        view = np.lib.stride_tricks.as_strided(
            data[self.offset:], shape=self.size, strides=[s * item for s in self.stride]
        )
        return view.astype(data.dtype.newbyteorder("="), copy=True)


def _rebuild_tensor_v2(storage: Any, offset: int, size: tuple[int, ...], stride: tuple[int, ...],
                       requires_grad: bool = False, hooks: Any = None, *_: Any) -> _TensorRef:
    """Replacement for ``torch._utils._rebuild_tensor_v2``."""
    if not isinstance(storage, _Storage):
        raise UnsafePickleError("tensor without a storage")
    return _TensorRef(storage, offset, size, stride)


def _rebuild_parameter(data: Any, requires_grad: bool = False, hooks: Any = None, *_: Any) -> Any:
    """Replacement for ``torch._utils._rebuild_parameter``: a parameter is just its tensor."""
    return data


_ALLOWED: dict[tuple[str, str], Any] = {
    ("collections", "OrderedDict"): collections.OrderedDict,
    ("torch._utils", "_rebuild_tensor_v2"): _rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): _rebuild_parameter,
}
_ALLOWED.update({("torch", n): _StorageType(d) for n, d in _STORAGE_DTYPES.items()})


class _RestrictedUnpickler(pickle.Unpickler):
    """Unpickler that resolves only allow-listed globals and collects storages."""

    def __init__(self, file: BinaryIO, storages: dict[str, _Storage] | None = None) -> None:
        super().__init__(file)
        self.storages = storages if storages is not None else {}

    def find_class(self, module: str, name: str) -> Any:
        """Return the stand-in for an allowed global; refuse everything else."""
        try:
            return _ALLOWED[(module, name)]
        except KeyError:
            raise UnsafePickleError(f"forbidden global in checkpoint: {module}.{name}") from None

    def persistent_load(self, pid: Any) -> _Storage:
        """Map a ``('storage', type, key, location, numel[, view])`` id to a shared storage."""
        if not isinstance(pid, tuple) or len(pid) < 5 or pid[0] != "storage":
            raise UnsafePickleError(f"unsupported persistent id: {pid!r}")
        stype, key, numel = pid[1], str(pid[2]), int(pid[4])
        if not isinstance(stype, _StorageType):
            raise UnsafePickleError("persistent id without a storage type")
        if len(pid) > 5 and pid[5] is not None:
            raise UnsafePickleError("storage views are not supported")
        if key not in self.storages:
            self.storages[key] = _Storage(stype.dtype, numel)
        return self.storages[key]


def _restricted_load(file: BinaryIO, storages: dict[str, _Storage] | None = None) -> Any:
    """Unpickle one object from ``file`` through the allow-list."""
    return _RestrictedUnpickler(file, storages).load()


def _read_exact(file: BinaryIO, n: int) -> bytes:
    """Read exactly n bytes or fail (a truncated file must not yield short arrays)."""
    buf = file.read(n)
    if len(buf) != n:
        raise ValueError("truncated checkpoint")
    return buf


def _load_legacy(file: BinaryIO) -> Any:
    """Parse the pre-1.6 stream: magic, protocol, sys info, object, keys, raw storages."""
    if _restricted_load(file) != _LEGACY_MAGIC:
        raise ValueError("not a PyTorch checkpoint")
    _restricted_load(file)  # protocol version
    _restricted_load(file)  # sys info (endianness, type sizes)
    storages: dict[str, _Storage] = {}
    obj = _restricted_load(file, storages)
    keys = _restricted_load(file)
    if not isinstance(keys, list):
        raise UnsafePickleError("malformed storage key list")
    for key in keys:
        storage = storages[str(key)]
        (numel,) = struct.unpack("<q", _read_exact(file, 8))
        if numel != storage.numel:
            raise ValueError(f"storage {key}: size {numel} != declared {storage.numel}")
        raw = _read_exact(file, numel * storage.dtype.itemsize)
        storage.data = np.frombuffer(raw, dtype=storage.dtype)
    return obj


def _load_zip(path: Path) -> Any:
    """Parse the zip layout: ``*/data.pkl`` plus one blob per storage under ``*/data/``."""
    with zipfile.ZipFile(path) as archive:
        pkl = [n for n in archive.namelist() if n.endswith("data.pkl")]
        if len(pkl) != 1:
            raise ValueError("zip checkpoint must contain exactly one data.pkl")
        prefix = pkl[0][: -len("data.pkl")]
        storages: dict[str, _Storage] = {}
        obj = _restricted_load(io.BytesIO(archive.read(pkl[0])), storages)
        for key, storage in storages.items():
            raw = archive.read(f"{prefix}data/{key}")
            nbytes = storage.numel * storage.dtype.itemsize
            if len(raw) < nbytes:
                raise ValueError(f"storage {key} is truncated")
            storage.data = np.frombuffer(raw[:nbytes], dtype=storage.dtype)
    return obj


def load_state_dict(path: str | Path) -> dict[str, np.ndarray]:
    """Load a ``.pth`` state dict as ``{name: numpy array}`` without torch or arbitrary code."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        obj = _load_zip(path)
    else:
        with path.open("rb") as f:
            obj = _load_legacy(f)
    if isinstance(obj, dict) and isinstance(obj.get("state_dict"), dict):
        obj = obj["state_dict"]
    if not isinstance(obj, dict):
        raise ValueError("checkpoint does not hold a state dict")
    return {str(k): v.to_numpy() for k, v in obj.items() if isinstance(v, _TensorRef)}
