"""The platforms' push paths wired into the local stack, as an operator sets them up in production:

- Amazon's sandbox sends ORDER_CHANGE to the AmazonNoticesQueue on moto, and Shopify's puts its
  webhooks on the partner event bus on moto (the route forwards them to the ShopifyNoticesQueue);
  every Amazon and Shopify shop is subscribed with `crossdock shops subscribe`'s own use case;
- the 17TRACK and eBay webhook receivers get their function URLs on loopback; 17TRACK's dashboard
  setting points at one, and eBay's developer portal registers the other (with its verification
  token, in the application secret `crossdock/apps/ebay`) after its endpoint check.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from crossdock.core.config import Settings
from crossdock.orders.resources import EBAY_ACCOUNT_DELETION
from crossdock.orders.usecases.subscribe import subscribe
from crossdock.tracking.resources import TRACKING_PUSH

from crossdock_local.aws.function_urls import FunctionUrl
from crossdock_local.aws.runner import LocalRunner
from crossdock_local.aws.stack import LocalStack
from crossdock_local.demos.orders.shops import DemoShops
from crossdock_local.demos.tracking.carriers import TrackingSandboxes

NOTIFYING = ("amazon", "shopify")  # the channels whose shops are subscribed to order notices


@dataclass
class PushWiring:
    subscribed: list[str] = field(default_factory=list)
    urls: dict[str, FunctionUrl] = field(default_factory=dict)  # function name → its loopback URL
    ebay_endpoint_checked: bool = False

    def stop(self) -> None:
        for url in self.urls.values():
            url.stop()


def wire_pushes(
    stack: LocalStack,
    shops: DemoShops,
    carriers: TrackingSandboxes,
    runner: LocalRunner,
    settings: Settings,
    now: datetime,
) -> PushWiring:
    wiring = PushWiring()
    try:
        _channels(stack, shops, settings, now, wiring)
        _webhooks(stack, shops, carriers, runner, settings, wiring)
    except BaseException:
        wiring.stop()
        raise
    return wiring


def _channels(
    stack: LocalStack, shops: DemoShops, settings: Settings, now: datetime, wiring: PushWiring
) -> None:
    amazon: Any = shops.sandboxes.get("amazon")
    if amazon is not None:
        amazon.aws_endpoint_url = stack.endpoint_url
    shopify: Any = shops.sandboxes.get("shopify")
    if shopify is not None:
        shopify.webhooks.connect(stack.endpoint_url, watch=True)
    for shop_id, plan in shops.plans.items():
        if plan.channel in NOTIFYING:
            subscribe(settings, shop_id, now)
            wiring.subscribed.append(shop_id)


def _webhooks(
    stack: LocalStack,
    shops: DemoShops,
    carriers: TrackingSandboxes,
    runner: LocalRunner,
    settings: Settings,
    wiring: PushWiring,
) -> None:
    tracking = wiring.urls[TRACKING_PUSH.name] = FunctionUrl(runner, TRACKING_PUSH).start()
    seventeen: Any = carriers.sandboxes.get("17track")
    if seventeen is not None:
        seventeen.webhook_url = tracking.url  # 17TRACK's dashboard: Settings → WebHook
    ebay: Any = shops.sandboxes.get("ebay")
    if ebay is None:
        return
    deletion = wiring.urls[EBAY_ACCOUNT_DELETION.name] = FunctionUrl(runner, EBAY_ACCOUNT_DELETION).start()
    secret = ebay.application_secret(deletion.url)  # the endpoint and token as registered in the portal
    stack.client("secretsmanager").create_secret(
        Name=f"{settings.app_secrets_prefix}ebay", SecretString=json.dumps(secret)
    )
    wiring.ebay_endpoint_checked = bool(ebay.notifications.check_endpoint())
