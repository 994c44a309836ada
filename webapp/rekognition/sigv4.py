"""AWS Signature Version 4 checking, as AWS specifies it, for requests to the Rekognition endpoint.

Canonical request = method, canonical URI, canonical query, canonical headers, signed
header names and the payload's SHA-256, one per line; the string to sign adds the
algorithm, the request time and the credential scope (date/region/rekognition/aws4_request);
the signing key is an HMAC chain from "AWS4" + secret. Any region is accepted; the
service must be rekognition; the request time must be within 15 minutes of ours.
"""
from __future__ import annotations

import hashlib
import hmac
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, quote, unquote

from webapp.rekognition.errors import (
    INCOMPLETE_SIGNATURE,
    INVALID_SIGNATURE,
    MISSING_TOKEN,
    RekognitionError,
)

ALGORITHM = "AWS4-HMAC-SHA256"
SERVICE = "rekognition"
MAX_SKEW = timedelta(minutes=15)
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_PARTS = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]*)")
# Headers that must be signed: the host, and the target (so a signature cannot be replayed on another operation).
REQUIRED_SIGNED = ("host", "x-amz-target")


@dataclass(frozen=True)
class SignedRequest:
    """What the signature covers, as the server received it."""

    method: str
    raw_path: str  # as sent, still percent-encoded
    raw_query: str
    headers: dict[str, list[str]]  # lower-case name -> every value
    body: bytes


@dataclass(frozen=True)
class Credential:
    """The parsed Authorization header."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


def parse_authorization(header: str | None) -> Credential:
    """The credential, scope, signed headers and signature of an Authorization header."""
    if not header:
        raise RekognitionError.of(MISSING_TOKEN, "Missing Authentication Token")
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise RekognitionError.of(INCOMPLETE_SIGNATURE, f"Unsupported signature algorithm {algorithm[:40]!r}; "
                                                        f"sign requests with {ALGORITHM} (SigV4).")
    parts = dict(_PARTS.findall(rest))
    missing = [name for name in ("Credential", "SignedHeaders", "Signature") if not parts.get(name)]
    if missing:
        raise RekognitionError.of(INCOMPLETE_SIGNATURE, "Authorization header requires '" + "', '".join(missing)
                                  + "' parameter(s). Authorization=" + header[:200])
    scope = parts["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request":
        raise RekognitionError.of(INCOMPLETE_SIGNATURE, "Credential should be in the form "
                                  "<AccessKeyId>/<YYYYMMDD>/<region>/rekognition/aws4_request.")
    return Credential(scope[0], scope[1], scope[2], scope[3], tuple(parts["SignedHeaders"].lower().split(";")),
                      parts["Signature"].lower())


def request_time(request: SignedRequest) -> datetime:
    """The signed request time from X-Amz-Date (or the Date header)."""
    value = (request.headers.get("x-amz-date") or [""])[0]
    try:
        if value:
            return datetime.strptime(value, _AMZ_DATE).replace(tzinfo=UTC)
        from email.utils import parsedate_to_datetime

        return parsedate_to_datetime((request.headers.get("date") or [""])[0]).astimezone(UTC)
    except (TypeError, ValueError) as exc:
        raise RekognitionError.of(INCOMPLETE_SIGNATURE, "The request needs a valid X-Amz-Date header "
                                                        "(YYYYMMDD'T'HHMMSS'Z').") from exc


def check_scope(credential: Credential, signed_at: datetime, now: datetime) -> None:
    """Service, signed headers, scope date and clock skew, as AWS checks them."""
    if credential.service != SERVICE:
        raise RekognitionError.of(INVALID_SIGNATURE, f"Credential should be scoped to correct service: '{SERVICE}'.")
    unsigned = [name for name in REQUIRED_SIGNED if name not in credential.signed_headers]
    if unsigned:
        raise RekognitionError.of(INVALID_SIGNATURE, f"The {', '.join(unsigned)} header(s) must be signed.")
    if credential.date != signed_at.strftime("%Y%m%d"):
        raise RekognitionError.of(INVALID_SIGNATURE, "Date in Credential scope does not match YYYYMMDD from "
                                                     "ISO-8601 version of date from HTTP: "
                                                     f"'{credential.date}' != '{signed_at:%Y%m%d}'")
    stamp = signed_at.strftime(_AMZ_DATE)
    if signed_at < now - MAX_SKEW:
        raise RekognitionError.of(INVALID_SIGNATURE, f"Signature expired: {stamp} is now earlier than "
                                                     f"{now - MAX_SKEW:{_AMZ_DATE}} ({now:{_AMZ_DATE}} - 15 min.)")
    if signed_at > now + MAX_SKEW:
        raise RekognitionError.of(INVALID_SIGNATURE, f"Signature not yet current: {stamp} is still later than "
                                                     f"{now + MAX_SKEW:{_AMZ_DATE}} ({now:{_AMZ_DATE}} + 15 min.)")


def canonical_uri(raw_path: str) -> str:
    """The path with dot segments removed, each segment URI-encoded again (SigV4 for non-S3 services)."""
    path = raw_path or "/"
    normalized = posixpath.normpath(path) if path != "/" else "/"
    if path.endswith("/") and normalized != "/":
        normalized += "/"
    return quote(normalized.replace("//", "/"), safe="/~")


def canonical_query(raw_query: str) -> str:
    """Parameters sorted by name then value, each URI-encoded."""
    pairs = parse_qsl(raw_query, keep_blank_values=True)
    encoded = sorted((quote(k, safe="-_.~"), quote(v, safe="-_.~")) for k, v in pairs)
    return "&".join(f"{k}={v}" for k, v in encoded)


def canonical_request(request: SignedRequest, signed_headers: tuple[str, ...]) -> str:
    """The canonical request of the spec for these signed headers."""
    lines = [request.method.upper(), canonical_uri(request.raw_path), canonical_query(request.raw_query)]
    for name in signed_headers:
        values = request.headers.get(name, [])
        lines.append(f"{name}:" + ",".join(" ".join(v.split()) for v in values))
    lines += ["", ";".join(signed_headers), hashlib.sha256(request.body).hexdigest()]
    return "\n".join(lines)


def _hmac(key: bytes, text: str) -> bytes:
    """HMAC-SHA256 of text under key."""
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()


def signature(secret: str, credential: Credential, amz_date: str, canonical: str) -> str:
    """The hex signature of a canonical request under a secret."""
    scope = f"{credential.date}/{credential.region}/{credential.service}/aws4_request"
    to_sign = "\n".join([ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode("utf-8")).hexdigest()])
    key = ("AWS4" + secret).encode("utf-8")
    for part in (credential.date, credential.region, credential.service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def verify(request: SignedRequest, secret_of: Callable[[str], str], now: datetime | None = None) -> Credential:
    """Check a request's SigV4 signature; returns its credential (key id, region) or raises RekognitionError.

    `secret_of(access_key_id)` returns the key's secret or raises the RekognitionError for
    an unknown or revoked key; it is called only after the request is well formed.
    """
    credential = parse_authorization((request.headers.get("authorization") or [""])[0])
    signed_at = request_time(request)
    check_scope(credential, signed_at, now or datetime.now(UTC))
    secret = secret_of(credential.access_key_id)
    amz_date = signed_at.strftime(_AMZ_DATE)
    expected = signature(secret, credential, amz_date, canonical_request(request, credential.signed_headers))
    if not hmac.compare_digest(expected, credential.signature):
        raise RekognitionError.of(INVALID_SIGNATURE, "The request signature we calculated does not match the "
                                  "signature you provided. Check your AWS Secret Access Key and signing method. "
                                  "Consult the service documentation for details.")
    return credential


def raw_path_of(environ: dict) -> str:
    """The request path as the client sent it (still percent-encoded), from the WSGI environ."""
    raw: str | None = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw:
        return raw.split("?", 1)[0]
    return quote(unquote(environ.get("PATH_INFO", "/")), safe="/~!$&'()*+,;=:@")
