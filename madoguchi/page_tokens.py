"""Page tokens: where the next page starts, handed to the caller and taken back opaque.

One codec for every listing: the values (the last row's sort key, or an offset and a
fingerprint of the query) as a compact JSON list in URL-safe base64 without padding.
A token is not a secret and not signed — it only says where to continue, and every
value read back is checked by the listing's own ``shape`` — so a forged one can point
at another position but never past the listing's filters. Anything that does not read
back is INVALID_ARGUMENT on ``page_token`` (``InvalidField``), never INTERNAL.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from madoguchi.errors import InvalidField

T = TypeVar("T")
MAX_LENGTH = 400
NOT_OURS = "is not a page token of this service; start again without one"


def encode(values: Sequence[Any]) -> str:
    """The token for ``values`` (JSON-serialisable: strings, numbers)."""
    raw = json.dumps(list(values), ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode("utf-8")).decode("ascii").rstrip("=")


def decode(token: str, shape: Callable[[list[Any]], T], *, field: str = "page_token"
           ) -> T | None:
    """``shape`` of the values in ``token``; None for no token (the first page).

    ``shape`` converts and checks the values, raising ValueError (or TypeError,
    IndexError) for anything this listing could not have issued.
    """
    if not token:
        return None
    try:
        if len(token) > MAX_LENGTH:
            raise ValueError("too long")
        values = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if not isinstance(values, list):
            raise ValueError("not a list")
        return shape(values)
    except (ValueError, TypeError, IndexError, KeyError, OverflowError, binascii.Error):
        raise InvalidField([(field, NOT_OURS)]) from None
