"""What the orders use cases need from the outside world; tests pass fakes that satisfy these."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from crossdock.core.http import ChannelHttp
    from crossdock.orders.rules.notices import OrderNotice
    from crossdock.orders.rules.order import Order
    from crossdock.orders.rules.privacy import ErasureRequest
    from crossdock.orders.rules.windows import ChannelLimits, Window


class SourceOpener(Protocol):
    def limits(self, shop: Any) -> ChannelLimits: ...

    def open(
        self, shop: Any, *, refresh_credentials: bool = False, budget: Callable[[], float] | None = None
    ) -> tuple[OrderSource, ChannelHttp]: ...


class OrderSource(Protocol):
    """Reads one shop's orders from its channel."""

    def pages(self, window: Window) -> Iterator[list[Order]]:
        """Every order whose channel-side modified time lies in `window`, page by page, in the
        order the channel documents as safe. Raises a `ChannelError` on any fault, never ends early."""
        ...


class NoticeReader(Protocol):
    """Reads channels' order notices and the orders they name."""

    def parse(self, channel: str, body: str) -> OrderNotice:
        """The notice in one delivered message; raises `InvalidNotice` (with its refusal reason)."""
        ...

    def read_order(self, shop: Any, order_id: str) -> Order | None:
        """The order as the channel has it now (None: the channel has no such order). Raises a
        `ChannelError` on any fault."""
        ...


class DeletionNotices(Protocol):
    """A platform's account-deletion endpoint (eBay Marketplace Account Deletion): its endpoint
    check and its signed notifications."""

    def challenge(self, code: str, arrived_at: str) -> str:
        """The answer to the platform's endpoint check for `code`; `arrived_at` is the URL the check
        arrived on (used when no endpoint is configured)."""
        ...

    def read(self, headers: Mapping[str, str], body: bytes) -> ErasureRequest | None:
        """The verified erasure request in one delivery, or None for a verified notification of
        another topic. Raises `InvalidNotice` (reason FORGED or MALFORMED) before anything is
        trusted, and a `ChannelError` when the verification itself could not be done (key fetch)."""
        ...
