"""Which crossdock the CLI talks to, chosen once per run before the command reads its settings:

1. `--stack NAME` or $CROSSDOCK_STACK: that deployed stack (`--stack local`: the local stack);
2. the environment already names the tables ($CROSSDOCK_SHOPS_TABLE: tests, hand-made setups): as is;
3. a local stack kept up by `crossdock local up` / `crossdock local --keep` (its state file);
4. the deployed stack named `crossdock`.

A deployed stack publishes its whole environment (tables, queue and DLQ URLs, topics, secret
prefixes) as one JSON object in an SSM parameter whose name is its CloudFormation output
`CrossdockEnvironment`: one DescribeStacks and one GetParameter per run. `--profile` and `--region`
choose the AWS account and region as everywhere else. Every failure says what is missing and how
to fix it (StackError: exit code 1).
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
from crossdock.core.names import (
    DEFAULT_STACK_NAME,
    ENV_SHOPS_TABLE,
    ENV_STACK,
    ENVIRONMENT_OUTPUT_ID,
)
from crossdock.core.runtime import forget_environment

LOCAL = "local"  # `--stack local`: the local stack, never a deployed one
NO_CREDENTIALS = (
    "no AWS credentials found: set AWS_PROFILE (or --profile), run `aws configure`,"
    " or start the local stack with `crossdock local up`"
)
REDEPLOY = "deployed before crossdock published its environment: run `make deploy` again"


class StackError(RuntimeError):
    """The stack cannot be found or read; the message names what is missing and how to fix it."""


def options() -> argparse.ArgumentParser:
    """The flags every command that talks to a stack takes (argparse parent parser)."""
    parent = argparse.ArgumentParser(add_help=False)
    group = parent.add_argument_group("stack")
    group.add_argument(
        "--stack",
        help=f"the deployed stack's name, or `{LOCAL}` (default ${ENV_STACK}, else the local stack"
        f" if up, else {DEFAULT_STACK_NAME})",
    )
    group.add_argument("--profile", help="AWS profile (default $AWS_PROFILE)")
    group.add_argument("--region", help="AWS region (default $AWS_REGION or the profile's)")
    return parent


# -- the choice (pure) ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Choice:
    kind: str  # DEPLOYED, ENVIRONMENT or LOCAL_STACK
    name: str | None = None  # the deployed stack's name
    env: Mapping[str, str] = field(default_factory=dict)  # the local stack's variables


DEPLOYED, ENVIRONMENT, LOCAL_STACK = "deployed", "environment", "local"


@dataclass(frozen=True)
class LocalStackSeen:
    """What the CLI needs to know of a local stack's state file."""

    path: Path
    pid: int
    alive: bool
    env: Mapping[str, str]


def choose(
    stack: str | None,
    env: Mapping[str, str],
    local: Callable[[], LocalStackSeen | None],
    *,
    aws_chosen: bool = False,
) -> Choice:
    """The stack this run talks to. `local` reads the local stack's state file (only when the
    choice gets that far); `aws_chosen`: --profile or --region was given, so a local stack kept up
    in the background is not what the operator means."""
    named = stack or env.get(ENV_STACK)
    if named == LOCAL:
        seen = local()
        if seen is None:
            raise StackError("no local stack is running: start it with `crossdock local up`")
        return _local(seen)
    if named:
        return Choice(DEPLOYED, named)
    if env.get(ENV_SHOPS_TABLE):
        return Choice(ENVIRONMENT)
    seen = None if aws_chosen else local()
    if seen is not None:
        return _local(seen)
    return Choice(DEPLOYED, DEFAULT_STACK_NAME)


def _local(local: LocalStackSeen) -> Choice:
    if not local.alive:
        raise StackError(
            f"the local stack recorded in {local.path} (pid {local.pid}) is not running any more:"
            " run `crossdock local up` (or `crossdock local down` to forget it)"
        )
    return Choice(LOCAL_STACK, env=local.env)


# -- a deployed stack's environment ---------------------------------------------------------------
def deployed_environment(name: str, region: str, cloudformation: Any, ssm: Any) -> dict[str, str]:
    """The variables stack `name` published: its output names the SSM parameter holding them."""
    try:
        described = cloudformation.describe_stacks(StackName=name)["Stacks"]
    except ClientError as exc:
        if "does not exist" in str(exc):
            raise StackError(
                f"no crossdock stack {name!r} in {region}: deploy it with `make deploy`, or pass --stack/--region"
            ) from None
        raise StackError(f"cannot read stack {name!r} in {region}: {exc}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described[0].get("Outputs", [])}
    parameter = outputs.get(ENVIRONMENT_OUTPUT_ID)
    if parameter is None:
        raise StackError(f"stack {name!r} in {region} has no output {ENVIRONMENT_OUTPUT_ID}: {REDEPLOY}")
    try:
        text = ssm.get_parameter(Name=parameter)["Parameter"]["Value"]
    except ClientError as exc:
        if exc.response.get("Error", {}).get("Code") == "ParameterNotFound":
            raise StackError(
                f"stack {name!r} names its environment parameter {parameter}, which does not exist in"
                f" {region}: run `make deploy` again"
            ) from None
        raise StackError(f"cannot read parameter {parameter} of stack {name!r}: {exc}") from None
    try:
        values = json.loads(text)
    except ValueError:
        values = None
    if not isinstance(values, dict) or not values:
        raise StackError(
            f"parameter {parameter} of stack {name!r} is not a JSON object: run `make deploy` again"
        )
    return {str(k): str(v) for k, v in values.items()}


# -- connecting this process ------------------------------------------------------------------------
def connect(
    args: argparse.Namespace,
    *,
    session: Callable[..., Any] = boto3.Session,
    local_state: Callable[[], LocalStackSeen | None] | None = None,
) -> Choice:
    """Point this process at the stack the arguments name, before any command reads its settings."""
    profile, region = getattr(args, "profile", None), getattr(args, "region", None)
    if profile:
        os.environ["AWS_PROFILE"] = profile
    if region:
        os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = region
    choice = choose(
        getattr(args, "stack", None),
        os.environ,
        local_state or _local_state,
        aws_chosen=bool(profile or region),
    )
    if choice.kind == LOCAL_STACK:
        os.environ.pop("AWS_PROFILE", None)  # a workstation profile must not leak into moto calls
        os.environ.update(choice.env)
    elif choice.kind == DEPLOYED and choice.name:
        os.environ.update(_read_deployed(choice.name, session))
    forget_environment()  # settings, clients and secrets cached before the choice
    return choice


def _read_deployed(name: str, session: Callable[..., Any]) -> dict[str, str]:
    try:
        opened = session()
    except ProfileNotFound as exc:
        raise StackError(
            f"{exc}: check AWS_PROFILE/--profile, or run `aws configure --profile NAME`"
        ) from None
    if opened.get_credentials() is None:
        raise StackError(NO_CREDENTIALS)
    region = os.environ.get("AWS_REGION") or opened.region_name  # boto3 reads AWS_DEFAULT_REGION only
    if not region:
        raise StackError("no AWS region: set AWS_REGION (or --region), or a region in your AWS profile")
    os.environ["AWS_REGION"] = os.environ["AWS_DEFAULT_REGION"] = region  # the settings and boto3 read these
    try:
        return deployed_environment(
            name,
            region,
            opened.client("cloudformation", region_name=region),
            opened.client("ssm", region_name=region),
        )
    except NoCredentialsError:
        raise StackError(NO_CREDENTIALS) from None
    except BotoCoreError as exc:
        raise StackError(f"cannot reach AWS in {region} to read stack {name!r}: {exc}") from None


def _local_state() -> LocalStackSeen | None:
    from crossdock_local import state  # the state file only: standard library, no moto

    found = state.read()
    if found is None:
        return None
    return LocalStackSeen(path=state.state_path(), pid=found.pid, alive=found.alive, env=found.env)
