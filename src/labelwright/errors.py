"""The one exception tree of Labelwright. None of these classes knows about HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


class LabelwrightError(Exception):
    """Base of every error Labelwright raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, errors: Sequence[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: list[dict[str, Any]] = list(errors or [])


class NotFound(LabelwrightError):
    """The object does not exist or the caller may not see it."""

    code = "not-found"


class Conflict(LabelwrightError):
    """The request conflicts with the current state (duplicate, already done)."""

    code = "conflict"


class Invalid(LabelwrightError):
    """The input is malformed or breaks a rule; `errors` lists each problem."""

    code = "invalid"


class SchemaMismatch(Invalid):
    """A value or a schema change does not fit the project's labeling schema."""

    code = "schema-mismatch"


class Forbidden(LabelwrightError):
    """The caller is known but their role does not allow this."""

    code = "forbidden"


class Unauthenticated(LabelwrightError):
    """No valid credentials were presented."""

    code = "unauthenticated"


class LeaseExpired(Conflict):
    """The assignment's lease ran out; the task went back to the pool."""

    code = "lease-expired"


class PayloadTooLarge(Invalid):
    """The upload exceeds the configured limit."""

    code = "payload-too-large"


class UpstreamUnavailable(LabelwrightError):
    """An external service (model server, object store) could not be reached."""

    code = "upstream-unavailable"


class ConfigurationError(LabelwrightError):
    """The settings are unsafe or inconsistent; the message names the variable."""

    code = "configuration"


class AuditChainBroken(LabelwrightError):
    """The audit trail's hash chain does not verify."""

    code = "audit-chain-broken"
