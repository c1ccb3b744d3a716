"""One step of the stock story: drive the local runner until a change is applied and every listing of
its SKUs shows what is sellable, while the quantity watch times when Amazon, Shopify and eBay showed
it; then print the alerts it raised."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from crossdock.core.specs import FunctionSpec

from crossdock_local.aws.outbox import Outbox
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.demos.stock.catalogue import WATCHED
from crossdock_local.demos.stock.report import StepResult, StockOutcome
from crossdock_local.demos.stock.view import StockView
from crossdock_local.demos.stock.watch import QuantityWatch, drive


class StepRunner:
    def __init__(
        self,
        runner: LocalRunner,
        view: StockView,
        watch: QuantityWatch,
        outbox: Outbox,
        outcome: StockOutcome,
        say: Callable[[str], None],
    ) -> None:
        self.runner = runner
        self.view = view
        self.watch = watch
        self.outbox = outbox
        self.outcome = outcome
        self.say = say

    def run(
        self,
        label: str,
        skus: Sequence[str],
        fire: Sequence[FunctionSpec],
        since: float,
        *,
        ready: Callable[[], bool] = lambda: True,
        quiet: bool = False,
    ) -> StepResult:
        """The latency is the last watched channel reaching its new quantity, from `since` (None when
        the runner never got every listing there); `quiet` leaves the alerts for the caller to print."""
        self.watch.watch((shop_id, sku) for sku in skus for shop_id in WATCHED)
        with self.watch.polling():
            driven = drive(self.runner, lambda: ready() and self.view.agree(skus), fire=fire)
        latency = None
        if driven.done:
            reached = [
                self.watch.reached((shop_id, sku), units, since)
                for sku in skus
                for shop_id, units in self.view.sellable(sku).items()
                if shop_id in WATCHED
            ]
            if reached and None not in reached:
                latency = max(t for t in reached if t is not None) - since
        step = StepResult(label, latency, {shop_id: self.view.shown(shop_id, skus[0]) for shop_id in WATCHED})
        self.outcome.steps.append(step)
        if not quiet:
            self.alerts()
        for error in driven.errors[:3]:
            self.say(f"⚠ {error}")
        return step

    def alerts(self) -> None:
        for path, subject in self.outbox.new():
            self.say(f"✉ alert {subject}  ({path.name})")


def shown(step: StepResult) -> str:
    return ", ".join(f"{shop_id} shows {units}" for shop_id, units in step.shown.items())


def timing(step: StepResult, measured: str = "from the change") -> str:
    if step.latency_s is None:
        return "the channels did NOT all show it"
    return f"Amazon, Shopify and eBay all showed it {step.latency_s:.2f} s {measured}"
