"""Signed JSON webhooks for SLA alerts (standard library only).

How a receiver checks a request
-------------------------------
Every delivery is an HTTP ``POST`` of compact UTF-8 JSON with these headers::

    Content-Type: application/json; charset=utf-8
    Idempotency-Key: 9f86d081884c7d65...      same on every retry of one notification
    X-Madoguchi-Timestamp: 1714554000         Unix time (seconds) this attempt was signed
    X-Madoguchi-Signature: sha256=5d2e0c...   see below

The signature is an HMAC-SHA256, keyed with the secret you share with Madoguchi, over the
timestamp header, a full stop and the raw request body, hex-encoded in lower case::

    signed_payload = timestamp + "." + raw_body          (bytes: ASCII digits, ".", body)
    signature      = "sha256=" + hex(HMAC_SHA256(secret, signed_payload))

To accept a request:

1. Take the raw body bytes *before* parsing the JSON (re-encoding changes the bytes).
2. Compute the expected signature and compare it with the header in constant time
   (``hmac.compare_digest``, ``crypto.timingSafeEqual``, ``MessageDigest.isEqual``...).
3. Reject a timestamp more than 5 minutes from your clock: that stops replays. Each retry
   is signed afresh, so a genuine retry is never stale.
4. De-duplicate on ``Idempotency-Key`` (remember keys for a day): after a timeout the
   same notification can arrive twice.
5. Answer 2xx quickly. 408, 425, 429, 5xx and no answer are retried with exponential
   backoff (``Retry-After`` is honoured); any other status is final. Redirects are not
   followed.

Python receivers can call ``verify(secret, timestamp, raw_body, signature)``. To rotate
the secret, accept either during the change: ``verify(new, ...) or verify(old, ...)``.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import re
import ssl
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

from services.sla_monitor.application.delivery import DeliveryError

SIGNATURE_PREFIX = "sha256="
RETRYABLE_STATUSES = frozenset({408, 425, 429})
_TIMESTAMP = re.compile(r"[0-9]{1,15}", re.ASCII)
_HEADER_VALUE = re.compile(r"[\x21-\x7e]{1,200}", re.ASCII)
_MAX_EXCERPT = 200


def is_retryable_status(status: int) -> bool:
    """408, 425, 429 and 5xx are worth retrying; other errors will not change by waiting."""
    return status in RETRYABLE_STATUSES or status >= 500


def sign(secret: bytes, timestamp: str, body: bytes) -> str:
    """``"sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body)``."""
    if not secret:
        raise ValueError("secret must not be empty")
    digest = hmac.new(bytes(secret), timestamp.encode("ascii") + b"." + bytes(body),
                      hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify(secret: bytes, timestamp: str, body: bytes, signature: str, *,
           now: datetime | None = None, tolerance_seconds: int = 300) -> bool:
    """Whether a request is genuine and fresh: for receivers (see the module docstring).

    Compares in constant time and rejects timestamps more than ``tolerance_seconds`` from
    ``now`` (either way), so a captured request cannot be replayed later. Missing or
    malformed headers (None, non-digits) simply fail.
    """
    if not isinstance(timestamp, str) or not isinstance(signature, str):
        return False
    if not _TIMESTAMP.fullmatch(timestamp):
        return False
    moment = datetime.now(UTC) if now is None else now
    if moment.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if abs(moment.timestamp() - int(timestamp)) > tolerance_seconds:
        return False
    expected = sign(secret, timestamp, body).encode("ascii")
    return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect could send the signed alert elsewhere: treat it as a final answer."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


class WebhookSender:
    """Posts JSON payloads, signed with a shared secret, to receivers' URLs."""

    def __init__(self, secret: bytes, timeout: float = 5.0,
                 user_agent: str = "madoguchi-sla-monitor", *,
                 clock: Callable[[], float] = time.time) -> None:
        if not isinstance(secret, bytes | bytearray) or not secret:
            raise ValueError("secret must be non-empty bytes")
        if not timeout > 0:
            raise ValueError("timeout must be > 0 seconds")
        self._secret = bytes(secret)
        self._timeout = timeout
        self._user_agent = user_agent
        self._clock = clock
        # Proxies come from the environment (HTTPS_PROXY, NO_PROXY), as usual.
        self._opener = urllib.request.build_opener(_NoRedirects)

    def send(self, url: str, payload: dict[str, Any], idempotency_key: str) -> int:
        """POST ``payload``; the HTTP status (2xx), or ``DeliveryError``."""
        _check_url(url)
        if not isinstance(idempotency_key, str) or not _HEADER_VALUE.fullmatch(idempotency_key):
            raise DeliveryError("idempotency key must be 1-200 printable ASCII characters",
                                retryable=False)
        body = _encode(payload)
        timestamp = str(int(self._clock()))
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": self._user_agent,
            "Idempotency-Key": idempotency_key,
            "X-Madoguchi-Timestamp": timestamp,
            "X-Madoguchi-Signature": sign(self._secret, timestamp, body),
        })
        try:
            with self._opener.open(request, timeout=self._timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as error:
            raise _rejected(url, error) from error
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            raise _unreachable(url, error) from error
        except ValueError as error:   # e.g. a header value http.client will not send
            raise DeliveryError(f"webhook {_where(url)}: {error}", retryable=False) from error


def _check_url(url: Any) -> None:
    """Only http(s): urllib would also open file:// and ftp:// URLs."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except (TypeError, ValueError, AttributeError):
        parts = None
    if (parts is None or parts.scheme not in ("http", "https") or not parts.hostname
            or any(c.isspace() for c in url)):
        raise DeliveryError(f"not an http(s) URL: {url!r}", retryable=False)


def _encode(payload: Any) -> bytes:
    try:
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError) as error:
        raise DeliveryError(f"payload is not JSON: {error}", retryable=False) from error
    return text.encode("utf-8")


def _rejected(url: str, error: urllib.error.HTTPError) -> DeliveryError:
    status = int(error.code)
    try:
        excerpt = error.read(_MAX_EXCERPT).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        excerpt = ""
    finally:
        error.close()
    message = f"webhook {_where(url)} answered {status} {error.reason}"
    if excerpt.strip():
        message += f": {' '.join(excerpt.split())}"
    return DeliveryError(message, retryable=is_retryable_status(status), status=status,
                         retry_after=_retry_after(error.headers.get("Retry-After")))


def _unreachable(url: str, error: Exception) -> DeliveryError:
    cause = error.reason if isinstance(error, urllib.error.URLError) else error
    # A certificate that does not verify is a set-up problem; waiting will not fix it.
    retryable = not isinstance(cause, ssl.SSLCertVerificationError)
    return DeliveryError(f"webhook {_where(url)} unreachable: {cause}", retryable=retryable)


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _where(url: str) -> str:
    """Scheme, host and path only: a URL's query may carry a token that must not be logged."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"
