"""Rekognition's errors: a code, a message and an HTTP status, rendered as awsJson1_1 errors."""
from __future__ import annotations

from webapp.errors import BackendUnavailable, Conflict, GlimpseError, InvalidImage, InvalidInput, NotFound, TooLarge

# Authentication failures, with the statuses AWS documents in its common errors.
MISSING_TOKEN = ("MissingAuthenticationTokenException", 403)
INCOMPLETE_SIGNATURE = ("IncompleteSignatureException", 400)
UNRECOGNIZED_CLIENT = ("UnrecognizedClientException", 403)
INVALID_SIGNATURE = ("InvalidSignatureException", 403)
ACCESS_DENIED = ("AccessDeniedException", 403)


class RekognitionError(Exception):
    """An error answered in Rekognition's shape: {"__type": code, "message": ...} with a status."""

    def __init__(self, code: str, message: str, status: int = 400):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    @classmethod
    def of(cls, kind: tuple[str, int], message: str) -> RekognitionError:
        """An error from one of the (code, status) pairs above."""
        return cls(kind[0], message, kind[1])


def from_glimpse(exc: GlimpseError) -> RekognitionError:
    """The Rekognition error a service's GlimpseError stands for."""
    if isinstance(exc, TooLarge):
        return RekognitionError("ImageTooLargeException", exc.message)
    if isinstance(exc, InvalidImage):
        return RekognitionError("InvalidImageFormatException", exc.message)
    if isinstance(exc, NotFound):
        return RekognitionError("ResourceNotFoundException", exc.message)
    if isinstance(exc, Conflict):
        return RekognitionError("ResourceAlreadyExistsException", exc.message)
    if isinstance(exc, InvalidInput):
        return RekognitionError("InvalidParameterException", exc.message)
    if isinstance(exc, BackendUnavailable):
        return RekognitionError("InternalServerError", exc.message, 500)
    return RekognitionError("InternalServerError", "Amazon Rekognition experienced a service issue. Try again.", 500)
