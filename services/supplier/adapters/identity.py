"""Who is calling the supplier portal: the one place that decides it.

Access rules (the enforcement seam)
- ``SupplierPortalService`` calls act for one supplier, and only this function says
  which. The portal requests carry no supplier id on purpose: a supplier cannot name
  another supplier's work, and every portal method passes ``caller_supplier(context)``
  to the application, which answers NOT_FOUND for another supplier's engagement.
- Until the service authenticates callers itself, the identity is the metadata key
  ``x-madoguchi-supplier-id``. It is only trustworthy when an authenticating proxy in
  front of the portal (mTLS client certificate or OIDC/JWT) sets it from the verified
  credential and strips any value the client sent. Exposing the port without such a
  proxy lets anyone claim any supplier. Replacing this function with an mTLS peer or
  JWT lookup (``context.auth_context()`` / ``context.peer_identities()``) is the
  intended change; nothing else needs to move.
- ``SupplierManagementService`` is for staff (service desk, supplier managers) only
  and has NO authentication yet: keep it on the staff network or behind a proxy that
  admits staff only, and never route suppliers to it.
"""

from __future__ import annotations

import grpc

from madoguchi.errors import Unauthenticated
from services.supplier.domain.values import CODE_PATTERN

SUPPLIER_ID_HEADER = "x-madoguchi-supplier-id"


def caller_supplier(context: grpc.ServicerContext) -> str:
    """The calling supplier's ``supplier_id``; Unauthenticated when there is none.

    Exactly one well-formed value is accepted: a missing, blank, repeated or malformed
    identity is refused rather than guessed at (a repeated header means a proxy added
    one without removing the client's).
    """
    values = [value for key, value in (context.invocation_metadata() or ())
              if key.lower() == SUPPLIER_ID_HEADER]
    if not values:
        raise Unauthenticated(f"the supplier portal needs the caller's identity "
                              f"({SUPPLIER_ID_HEADER})")
    if len(values) > 1:
        raise Unauthenticated(f"more than one {SUPPLIER_ID_HEADER} on the call")
    value = values[0]
    if isinstance(value, bytes):
        raise Unauthenticated(f"{SUPPLIER_ID_HEADER} must be text")
    value = value.strip()
    if not value:
        raise Unauthenticated(f"{SUPPLIER_ID_HEADER} is blank")
    if not CODE_PATTERN.match(value):
        raise Unauthenticated(f"{SUPPLIER_ID_HEADER} is not a supplier code")
    return value
