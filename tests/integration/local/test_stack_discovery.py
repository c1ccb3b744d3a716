"""`crossdock --stack NAME` finds a deployed stack by its name alone: moto's CloudFormation holds a
stack whose SSM parameter publishes the environment (tables under names no default matches) and
whose output `CrossdockEnvironment` names that parameter; the CLI reads both and works on those
tables. A stack without the output, a missing parameter and an unknown stack fail with the fix."""

from __future__ import annotations

import argparse
import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from crossdock.core import aws, credentials
from crossdock.core.config import settings
from crossdock.core.names import (
    ENV_ALERTS_TOPIC_ARN,
    ENV_AWS_ENDPOINT_URL,
    ENV_REPORTS_TOPIC_ARN,
    ENV_SHOPS_TABLE,
    ENV_STACK,
    ENV_STATE_DIR,
    ENVIRONMENT_OUTPUT_ID,
    environment_parameter_name,
)
from crossdock.deployment import QUEUES, TABLES
from crossdock_cli.main import main
from crossdock_cli.stack import REDEPLOY, StackError, connect
from crossdock_local.aws.resources import REPORTS_TOPIC_NAME, create_queues, create_tables, create_topic
from moto.server import ThreadedMotoServer

REGION = "eu-west-1"
PREFIX = "shop-prod-7f3a"  # no default table or queue name starts like this
TAOBAO_CREDENTIALS = {"app_key": "12345678", "app_secret": "s3cr3t", "session": "6100abc"}


@pytest.fixture()
def moto_url(tmp_path: Path) -> Iterator[str]:
    """moto's server as the AWS account; the environment names no crossdock resource."""
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    requests.post(f"{url}/moto-api/reset", timeout=10).raise_for_status()
    saved = dict(os.environ)
    for name in [v for v in os.environ if v.startswith("CROSSDOCK_") or v.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_REGION": REGION,
            ENV_AWS_ENDPOINT_URL: url,
            ENV_STATE_DIR: str(tmp_path / "state"),
        }
    )
    try:
        yield url
    finally:
        server.stop()
        os.environ.clear()
        os.environ.update(saved)
        settings.cache_clear()
        aws.reset()
        credentials.reset()


def client(service: str) -> Any:
    return boto3.client(service, region_name=REGION)  # type: ignore[call-overload]


def deploy(name: str, environment: dict[str, str] | None, *, output: bool = True) -> None:
    """A CloudFormation stack as crossdock's CDK app publishes it: the parameter and the output."""
    resources: dict[str, Any] = {"Placeholder": {"Type": "AWS::SNS::Topic"}}
    outputs: dict[str, Any] = {}
    if environment is not None:
        resources["Environment"] = {
            "Type": "AWS::SSM::Parameter",
            "Properties": {
                "Name": environment_parameter_name(name),
                "Type": "String",
                "Value": json.dumps(environment),
            },
        }
    if output:
        outputs[ENVIRONMENT_OUTPUT_ID] = {
            "Value": {"Ref": "Environment"} if environment is not None else environment_parameter_name(name)
        }
    template = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources, "Outputs": outputs}
    client("cloudformation").create_stack(StackName=name, TemplateBody=json.dumps(template))


def resources() -> dict[str, str]:
    """Tables, queues (+DLQs) and topics under names no default matches, as a deployment's."""
    names = create_tables(client("dynamodb"), prefix=PREFIX)
    names |= create_queues(client("sqs"), prefix=PREFIX)
    names[ENV_ALERTS_TOPIC_ARN] = create_topic(client("sns"), name=f"{PREFIX}-alerts")
    names[ENV_REPORTS_TOPIC_ARN] = create_topic(client("sns"), name=f"{PREFIX}-{REPORTS_TOPIC_NAME}")
    return names


def shop_ids(document: Any) -> set[str]:
    """Every `shop_id` anywhere in a JSON document (whatever shape `status --json` gives its sections)."""
    if isinstance(document, dict):
        found = {document["shop_id"]} if isinstance(document.get("shop_id"), str) else set()
        return found.union(*(shop_ids(v) for v in document.values()))
    if isinstance(document, list):
        return set().union(*(shop_ids(v) for v in document))
    return set()


def arguments(stack: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(stack=stack, profile=None, region=None)


def test_commands_work_on_the_stack_found_by_name(
    moto_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given: stack shop-prod deployed, and shop-prod's tables the only crossdock tables there are
    environment = resources()
    deploy("shop-prod", environment)
    credentials_file = tmp_path / "taobao.json"
    credentials_file.write_text(json.dumps(TAOBAO_CREDENTIALS))

    # When
    shop = ["--shop", "taobao-cn", "--channel", "taobao", "--credentials", str(credentials_file)]
    added = main(["shops", "add", "--stack", "shop-prod", *shop])
    capsys.readouterr()
    shown = main(["status", "--stack", "shop-prod", "--json"])

    # Then
    out = capsys.readouterr().out
    assert (added, shown) == (0, 0)
    assert shop_ids(json.loads(out)) == {"taobao-cn"}
    stored = client("dynamodb").scan(TableName=environment[ENV_SHOPS_TABLE])["Items"]
    assert [item["shop_id"]["S"] for item in stored] == ["taobao-cn"]
    assert os.environ[ENV_SHOPS_TABLE] == f"{PREFIX}-shops"
    assert {name: os.environ[name] for name in environment} == environment
    assert {t.env_var for t in TABLES} | {q.dlq_env_var for q in QUEUES} <= set(environment)


def test_stack_named_by_the_environment_variable(moto_url: str) -> None:
    # Given
    environment = resources()
    deploy("shop-prod", environment)
    os.environ[ENV_STACK] = "shop-prod"

    # When
    choice = connect(arguments())

    # Then
    assert (choice.kind, choice.name) == ("deployed", "shop-prod")
    assert settings().shops_table == environment[ENV_SHOPS_TABLE]
    assert settings().region == REGION


def test_unknown_stack_names_region_and_fix(moto_url: str) -> None:
    # When
    with pytest.raises(StackError) as raised:
        connect(arguments("ghost"))

    # Then
    assert str(raised.value) == (
        f"no crossdock stack 'ghost' in {REGION}: deploy it with `make deploy`, or pass --stack/--region"
    )


def test_stack_deployed_before_the_output_existed_asks_for_a_deploy(moto_url: str) -> None:
    # Given
    deploy("old-prod", None, output=False)

    # When
    with pytest.raises(StackError) as raised:
        connect(arguments("old-prod"))

    # Then
    assert (
        str(raised.value) == f"stack 'old-prod' in {REGION} has no output {ENVIRONMENT_OUTPUT_ID}: {REDEPLOY}"
    )


def test_missing_parameter_is_named(moto_url: str) -> None:
    # Given: the output names a parameter someone deleted
    deploy("half-prod", None, output=True)

    # When
    with pytest.raises(StackError) as raised:
        connect(arguments("half-prod"))

    # Then
    assert "environment parameter /crossdock/half-prod/environment, which does not exist" in str(raised.value)
    assert str(raised.value).endswith("run `make deploy` again")
