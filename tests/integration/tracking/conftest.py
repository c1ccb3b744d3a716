"""The tracking integration world: the local stack, the three tracking sandboxes connected to it,
and a local runner on every queue (fresh per test). A module that needs more (the failover's shared
world, the push receiver's function URL) defines its own `world`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from crossdock.deployment import QUEUES
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.aws.stack import LocalStack
from crossdock_local.demos.tracking.carriers import TrackingSandboxes


@pytest.fixture
def world() -> Iterator[tuple[LocalStack, TrackingSandboxes, LocalRunner]]:
    with LocalStack(rate_scale=200) as stack, TrackingSandboxes(rate_scale=200) as carriers:
        carriers.connect(stack.settings)
        runner = LocalRunner({q.logical_id: stack.queue_url(q) for q in QUEUES}, visibility_timeout_s=1)
        yield stack, carriers, runner
