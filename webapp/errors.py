"""The small error hierarchy services raise; views map it to status codes in one place."""
from __future__ import annotations


class GlimpseError(Exception):
    """Base class: carries a sentence a person understands and an HTTP status."""

    status = 500

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigError(GlimpseError):
    """The configuration is invalid; raised at start-up only."""


class InvalidImage(GlimpseError):
    """The uploaded file is not an image Glimpse can use."""

    status = 400


class TooLarge(InvalidImage):
    """The upload is over the byte or pixel limit."""

    status = 413


class InvalidInput(GlimpseError):
    """A form or API field is missing or wrong."""

    status = 400


class NotFound(GlimpseError):
    """The thing asked for does not exist (or no longer does)."""

    status = 404


class Forbidden(GlimpseError):
    """The caller may not do this."""

    status = 403


class Conflict(GlimpseError):
    """The request clashes with what exists (e.g. a person with that name)."""

    status = 409


class Unauthorized(GlimpseError):
    """The caller must log in or present a token."""

    status = 401


class TooManyAttempts(GlimpseError):
    """Too many failed logins from this address or for this user."""

    status = 429


class BackendUnavailable(GlimpseError):
    """A backend (model, disk, database, cloud service) failed; try again later."""

    status = 503
