"""The demo's world before its story: the local stack (moto), every sandbox (the channels with the
catalogue's shops, 4PX/Yanwen/17TRACK, 1688), the shops registered, the local runner, and the
stock, tracking and supplier stories ready to set up. `crossdock local` tells the story on it;
`crossdock local up` sets it up and keeps it running for the operator's commands.

    with playground(CATALOGUE, faults="realistic", seed=7, rate_scale=200, folder=Path("outbox"),
                    say=print) as world:
        world.set_up()      # listings, stock import and first push, carriers and 1688 connected
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from crossdock.deployment import QUEUES

from crossdock_local.aws.lambda_output import captured
from crossdock_local.aws.outbox import Outbox
from crossdock_local.aws.stack import LocalStack
from crossdock_local.demos.notices.story import PushStory
from crossdock_local.demos.notices.wiring import PushWiring, wire_pushes
from crossdock_local.demos.orders.shops import DemoShops, ShopPlan
from crossdock_local.demos.stock.story import StockStory
from crossdock_local.demos.stock.tap import DemoRunner, LedgerTap
from crossdock_local.demos.suppliers.story import SupplierStory, alibaba_sandbox
from crossdock_local.demos.tracking.carriers import TrackingSandboxes
from crossdock_local.demos.tracking.story import TrackingStory
from crossdock_local.sandboxes.alibaba1688.server import Alibaba1688Sandbox

LOCAL_VISIBILITY_S = 1  # a failed task reappears a second later instead of after the queue's 30 min


@dataclass
class Playground:
    stack: LocalStack
    shops: DemoShops
    carriers: TrackingSandboxes
    alibaba: Alibaba1688Sandbox
    folder: Path  # the outbox: e-mails, the stock and shipment files, lambda.log
    lambda_log: TextIO  # the functions' logs and metrics
    tap: LedgerTap
    runner: DemoRunner
    outbox: Outbox
    stock: StockStory
    tracking: TrackingStory
    suppliers: SupplierStory
    pushes: PushWiring  # order notices subscribed, webhook receivers on their function URLs
    push_story: PushStory

    def set_up(self) -> None:
        """What the operator does before the first cycle: listings, stock import and first push,
        tracking sources and the 1688 platform connected, the sourcing catalogue added."""
        with captured(self.lambda_log):
            self.stock.set_up(self.folder)
            self.tracking.set_up(self.folder)
            self.suppliers.set_up(self.folder)

    def sandbox_urls(self) -> dict[str, str]:
        """Every sandbox's base URL by name (channels, carriers, 1688)."""
        return (
            {name: sandbox.url for name, sandbox in self.shops.sandboxes.items()}
            | {name: sandbox.url for name, sandbox in self.carriers.sandboxes.items()}
            | {"1688": self.alibaba.url}
        )


@contextlib.contextmanager
def playground(
    plans: tuple[ShopPlan, ...],
    *,
    faults: str,
    seed: int,
    rate_scale: float,
    folder: Path,
    say: Callable[[str], None],
    orders: int | None = None,
) -> Iterator[Playground]:
    """Everything started and the shops registered; stopped in reverse order on exit."""
    with (
        LocalStack(rate_scale=rate_scale, outbox_dir=folder) as stack,
        DemoShops(plans, faults=faults, seed=seed, rate_scale=rate_scale, orders=orders) as shops,
        TrackingSandboxes(rate_scale=rate_scale, faults=faults, seed=seed) as carriers,
        alibaba_sandbox(rate_scale=rate_scale, faults=faults, seed=seed) as alibaba,
        (folder / "lambda.log").open("w", encoding="utf-8") as lambda_log,
    ):
        shops.register(stack.settings, datetime.now(UTC))
        tap = LedgerTap()
        runner = DemoRunner(
            {q.logical_id: stack.queue_url(q) for q in QUEUES},
            visibility_timeout_s=LOCAL_VISIBILITY_S,
            tap=tap,
        )
        mail = Outbox(folder)
        pushes = wire_pushes(stack, shops, carriers, runner, stack.settings, datetime.now(UTC))
        say(
            f"notices: {', '.join(pushes.subscribed)} subscribed (`crossdock shops subscribe`); "
            f"webhook receivers on {', '.join(f'{name} {url.url}' for name, url in pushes.urls.items())}"
        )
        try:
            yield Playground(
                stack=stack,
                shops=shops,
                carriers=carriers,
                alibaba=alibaba,
                folder=folder,
                lambda_log=lambda_log,
                tap=tap,
                runner=runner,
                outbox=mail,
                stock=StockStory(shops, runner, stack.settings, mail, say),
                tracking=TrackingStory(carriers, runner, stack.settings, mail, say, seed=seed),
                suppliers=SupplierStory(alibaba, shops, runner, stack.settings, mail, say),
                pushes=pushes,
                push_story=PushStory(pushes, shops, carriers, say),
            )
        finally:
            pushes.stop()
