"""`crossdock shops subscribe|unsubscribe SHOP`: have a shop's channel notify its order changes.

Subscribing asks the channel to deliver the shop's order notices to the stack's destination for that
channel (Amazon: the AmazonNoticesQueue's ARN; Shopify: the partner event source's ARN the stack's
Shopify route listens on), then records on the shop what the channel created and the push key its
notices will be found by. Until the record is written no notice is taken in (unknown shop), and the
pull reads the shop as before either way: subscribing only makes changes arrive sooner.

Refused before anything is created: a channel without notices (Taobao's message service needs a
long-lived connection, eBay's order notifications are SOAP Platform Notifications: both stay on the
pull — README "Order intake"), a shop without the option that names its account, a stack without
the destination, or another shop already subscribed under the same account.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from crossdock.channels.registry import channel
from crossdock.channels.spec import Destination
from crossdock.core import aws
from crossdock.orders.rules.notices import push_key
from crossdock.shops.storage.shops import ShopRepository
from crossdock.shops.storage.tables import ShopModel
from crossdock.shops.usecases.sources import ShopChannels

if TYPE_CHECKING:
    from crossdock.channels.spec import PushSpec
    from crossdock.core.config import Settings

PULL_ONLY = {
    "taobao": "Taobao's message service (TMC) delivers over a long-lived connection a Lambda function "
    "cannot hold; its orders arrive by the 5-minute pull and the daily reconciliation",
    "ebay": "eBay's order notifications are SOAP Platform Notifications with a signature eBay does not "
    "document for verification; its orders arrive by the 5-minute pull and the daily reconciliation",
}


class NotSubscribable(ValueError):
    """The shop cannot be subscribed (or unsubscribed) as asked; nothing was changed."""


@dataclass(frozen=True)
class Subscription:
    shop_id: str
    channel: str
    push_key: str
    destination: str
    record: dict[str, Any]


def destination(settings: Settings, channel_name: str, kind: str) -> Destination:
    """The stack's destination for a channel's notices (NotSubscribable when it is not deployed)."""
    if kind == "sqs" and channel_name == "amazon":
        if not settings.amazon_notices_queue_url:
            raise NotSubscribable(
                "the stack has no Amazon notices queue (CROSSDOCK_AMAZON_NOTICES_QUEUE_URL)"
            )
        attributes = aws.client("sqs").get_queue_attributes(
            QueueUrl=settings.amazon_notices_queue_url, AttributeNames=["QueueArn"]
        )["Attributes"]
        return Destination("sqs", attributes["QueueArn"])
    if kind == "eventbridge" and channel_name == "shopify":
        if not settings.shopify_event_source:
            raise NotSubscribable(
                "the stack takes no Shopify events: deploy it with "
                "`cdk deploy -c shopifyEventSource=aws.partner/shopify.com/<app id>/<name>` "
                "(the partner event source created in Shopify's Partner Dashboard)"
            )
        source = settings.shopify_event_source
        return Destination("eventbridge", f"arn:aws:events:{settings.region}::event-source/{source}")
    raise NotSubscribable(f"no {kind} destination for {channel_name} notices in this stack")


def _push(shop: ShopModel) -> PushSpec:
    push = channel(shop.channel).push
    if push is None:
        why = PULL_ONLY.get(shop.channel, f"{shop.channel} sends no order notices crossdock can take")
        raise NotSubscribable(f"shop {shop.shop_id} cannot be subscribed: {why}")
    return push


def subscribe(settings: Settings, shop_id: str, now: datetime) -> Subscription:
    shops = ShopRepository()
    shop = shops.get(shop_id)
    push = _push(shop)
    try:
        account = push.account(shop.options or {})
    except ValueError as exc:
        raise NotSubscribable(f"shop {shop_id}: {exc}") from None
    key = push_key(shop.channel, account)
    holder = shops.by_push_key(key)
    if holder is not None and holder.shop_id != shop_id:
        raise NotSubscribable(
            f"shop {holder.shop_id} is already subscribed for {shop.channel} account {account}"
        )
    target = destination(settings, shop.channel, push.destination_kind)
    record = push.subscribe(ShopChannels(settings).context(shop), target)
    kept = {**record, "destination": target.arn, "account": account, "subscribed_at": now.isoformat()}
    shop.update(actions=[ShopModel.push_key.set(key), ShopModel.push.set(kept)])
    return Subscription(shop_id, shop.channel, key, target.arn, kept)


def unsubscribe(settings: Settings, shop_id: str) -> bool:
    """Remove the shop's subscription at its channel, then its record; False: it had none."""
    shop = ShopRepository().get(shop_id)
    if not shop.push_key and not shop.push:
        return False
    push = _push(shop)
    if shop.push:
        push.unsubscribe(ShopChannels(settings).context(shop), dict(shop.push))
    shop.update(actions=[ShopModel.push_key.remove(), ShopModel.push.set({})])
    return True
