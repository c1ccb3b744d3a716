"""The one error type the app reports to the operator (bad specs, missing build outputs, bad context)."""

from __future__ import annotations


class InfraConfigError(RuntimeError):
    """Synthesis cannot proceed; the message says what to do about it."""
