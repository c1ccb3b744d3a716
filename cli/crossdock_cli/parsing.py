"""Building the command tree: every command gets the stack flags, every reading one the output flags."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from crossdock_cli import output, stack

Run = Callable[[argparse.Namespace], int]


def command(
    actions: Any, name: str, *, help: str, run: Run, reads: bool = False, uses_stack: bool = True
) -> argparse.ArgumentParser:
    """A leaf command under `actions` (an argparse subparsers object).

    reads: the command prints what it found, so it takes --json, --wide and --tz.
    uses_stack: it talks to a crossdock stack (deployed or local), so it takes --stack, --profile, --region.
    """
    parents = [stack.options()] if uses_stack else []
    if reads:
        parents.append(output.options())
    parser: argparse.ArgumentParser = actions.add_parser(name, help=help, description=help, parents=parents)
    parser.set_defaults(run=run, uses_stack=uses_stack)
    return parser


def group(sub: Any, name: str, *, help: str) -> Any:
    """A command group (`crossdock shops …`): returns its subparsers for `command`."""
    parser = sub.add_parser(name, help=help, description=help)
    return parser.add_subparsers(dest=f"{name}_action", required=True, metavar="ACTION")
