"""Which crossdock the CLI talks to: a deployed stack found by name, or the local stack.

(Skeleton: finding the stack by name and the local state file are being built; until then the
CROSSDOCK_* variables in the environment are read as before.)
"""

from __future__ import annotations

import argparse

from crossdock.core.names import DEFAULT_STACK_NAME, ENV_STACK


def options() -> argparse.ArgumentParser:
    """The flags every command that talks to a stack takes (argparse parent parser)."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("stack")
    group.add_argument(
        "--stack",
        help=f"the deployed stack's name (default ${ENV_STACK}, else the local stack if up, else {DEFAULT_STACK_NAME})",
    )
    group.add_argument("--profile", help="AWS profile (default $AWS_PROFILE)")
    group.add_argument("--region", help="AWS region (default $AWS_REGION or the profile's)")
    return parent


def connect(args: argparse.Namespace) -> None:
    """Point this process at the stack the arguments name, before any command reads its settings."""
