"""Rekognition's service model (read offline from the installed botocore) and checks against it.

Requests are checked the way Rekognition's front end does: a value of the wrong JSON type
is a SerializationException; missing required members, enums, lengths, ranges and
patterns are collected into one ValidationException worded like AWS's ("1 validation
error detected: Value ... at 'collectionId' failed to satisfy constraint: ..."). Blobs
arrive base64-encoded and come out as bytes. Tests use `response_problems` to hold every
answer to the same model.
"""
from __future__ import annotations

import base64
import binascii
import math
import re
import threading
from functools import cache
from typing import Any

from webapp.rekognition.errors import RekognitionError

_lock = threading.Lock()
_model: list[Any] = []
IMAGE_BLOB = "ImageBlob"  # over its 5 MB limit Rekognition answers ImageTooLargeException, not a ValidationException


def service_model() -> Any:
    """botocore's ServiceModel for rekognition, loaded once per process (botocore ships it as data)."""
    with _lock:
        if not _model:
            import botocore.session  # here, not at import: the app factory does not need it

            _model.append(botocore.session.get_session().get_service_model("rekognition"))
        return _model[0]


def operation(name: str) -> Any | None:
    """The OperationModel of an operation name, or None if Rekognition has no such operation."""
    model = service_model()
    return model.operation_model(name) if name in model.operation_names else None


@cache
def _pattern(java: str) -> re.Pattern:
    """A Python regex for a model pattern (Java syntax; \\p{L}, \\p{N} and \\p{Z} approximated)."""
    return re.compile(java.replace(r"\p{L}", r"\w").replace(r"\p{N}", r"\w").replace(r"\p{Z}", r"\s"))


def _camel(name: str) -> str:
    """Member names as AWS's messages spell them: CollectionId -> collectionId."""
    return name[:1].lower() + name[1:]


def _shown(value: Any) -> str:
    """A value as quoted in a validation message."""
    if value is None:
        return "null"
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    text = str(value)
    return "'" + (text if len(text) <= 100 else text[:100] + "...") + "'"


def serialization_error(message: str) -> RekognitionError:
    """The error for a body that cannot be read as the operation's input."""
    return RekognitionError("SerializationException", message)


class _Checker:
    """Walks a value along a shape, converting blobs and collecting constraint problems."""

    def __init__(self, output: bool = False):
        self.output = output  # answers: unknown members are problems; list lengths are not checked
        self.problems: list[str] = []

    def problem(self, value: Any, path: str, rule: str) -> None:
        """Record one failed constraint."""
        self.problems.append(f"Value {_shown(value)} at '{path}' failed to satisfy constraint: Member must {rule}")

    def check(self, shape: Any, value: Any, path: str) -> Any:
        """The value checked against shape (blobs decoded); wrong JSON types raise at once."""
        kind = shape.type_name
        handler = getattr(self, f"_{kind}", None)
        if handler is None:
            return value
        return handler(shape, value, path)

    def _structure(self, shape: Any, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            raise serialization_error(f"Expected an object at '{path or 'the top level'}'.")
        out = {}
        for name in shape.required_members:
            if value.get(name) is None:
                self.problem(None, _join(path, _camel(name)), "not be null")
        for name, item in value.items():
            member = shape.members.get(name)
            if member is None:
                if self.output:
                    self.problems.append(f"Unknown member '{_join(path, name)}'")
                continue
            if item is not None:
                out[name] = self.check(member, item, _join(path, _camel(name)))
        return out

    def _list(self, shape: Any, value: Any, path: str) -> list:
        if not isinstance(value, list):
            raise serialization_error(f"Expected a list at '{path}'.")
        if not self.output:
            self._length(shape, value, path)
        return [self.check(shape.member, item, f"{path}.{i + 1}.member") for i, item in enumerate(value)]

    def _map(self, shape: Any, value: Any, path: str) -> dict:
        if not isinstance(value, dict):
            raise serialization_error(f"Expected an object at '{path}'.")
        self._length(shape, value, path)
        return {self.check(shape.key, k, f"{path}.key"): self.check(shape.value, v, f"{path}.value")
                for k, v in value.items()}

    def _string(self, shape: Any, value: Any, path: str) -> str:
        if not isinstance(value, str):
            raise serialization_error(f"Expected a string at '{path}'.")
        if shape.enum and value not in shape.enum:
            self.problem(value, path, f"satisfy enum value set: [{', '.join(shape.enum)}]")
        self._length(shape, value, path)
        pattern = shape.metadata.get("pattern")
        if pattern and not _pattern(pattern).fullmatch(value):
            self.problem(value, path, f"satisfy regular expression pattern: {pattern}")
        return value

    def _blob(self, shape: Any, value: Any, path: str) -> bytes:
        if not isinstance(value, str):
            raise serialization_error(f"Expected base64 text at '{path}'.")
        try:
            data = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise serialization_error(f"The value at '{path}' is not valid base64.") from exc
        limit = shape.metadata.get("max")
        if shape.name == IMAGE_BLOB and limit is not None and len(data) > limit:
            raise RekognitionError("ImageTooLargeException",
                                   f"Image size is too large: {len(data)} bytes; the limit for image bytes is {limit}.")
        self._length(shape, data, path)
        return data

    def _integer(self, shape: Any, value: Any, path: str) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise serialization_error(f"Expected an integer at '{path}'.")
        self._range(shape, value, path)
        return value

    _long = _integer

    def _float(self, shape: Any, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise serialization_error(f"Expected a number at '{path}'.")
        self._range(shape, value, path)
        return float(value)

    _double = _float

    def _boolean(self, shape: Any, value: Any, path: str) -> bool:
        if not isinstance(value, bool):
            raise serialization_error(f"Expected true or false at '{path}'.")
        return value

    def _timestamp(self, shape: Any, value: Any, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise serialization_error(f"Expected a timestamp at '{path}'.")
        return value

    def _length(self, shape: Any, value: Any, path: str) -> None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and len(value) < low:
            self.problem(value, path, f"have length greater than or equal to {low}")
        if high is not None and len(value) > high:
            self.problem(value, path, f"have length less than or equal to {high}")

    def _range(self, shape: Any, value: float, path: str) -> None:
        low, high = shape.metadata.get("min"), shape.metadata.get("max")
        if low is not None and value < low:
            self.problem(value, path, f"have value greater than or equal to {low}")
        if high is not None and value > high:
            self.problem(value, path, f"have value less than or equal to {high}")


def _join(path: str, name: str) -> str:
    """A dotted member path."""
    return f"{path}.{name}" if path else name


def parse_request(operation_model: Any, body: Any) -> dict:
    """The request checked against the operation's input shape, blobs decoded; raises RekognitionError."""
    checker = _Checker()
    params: dict = checker.check(operation_model.input_shape, body, "")
    if checker.problems:
        count = len(checker.problems)
        noun = "error" if count == 1 else "errors"
        raise RekognitionError("ValidationException",
                               f"{count} validation {noun} detected: " + "; ".join(checker.problems))
    return params


def response_problems(operation_model: Any, response: Any) -> list[str]:
    """Everything in an answer that its output shape does not allow (empty when it conforms)."""
    checker = _Checker(output=True)
    try:
        checker.check(operation_model.output_shape, response, "")
    except RekognitionError as exc:
        return [exc.message]
    return checker.problems
