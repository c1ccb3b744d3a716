"""Asking before a command destroys something: `--yes` answers for scripts; without a terminal to ask
on and without `--yes`, the command refuses rather than guess."""

from __future__ import annotations

import sys

from crossdock_cli.arguments import UsageError


def confirmed(question: str, *, yes: bool) -> bool:
    """True when the operator agreed (or gave --yes); False when they said no."""
    if yes:
        return True
    if not sys.stdin.isatty():
        raise UsageError(f"{question} — not asked: no terminal to confirm on; add --yes to go ahead")
    print(f"{question} [y/N] ", end="", file=sys.stderr, flush=True)
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")
