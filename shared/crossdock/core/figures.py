"""The business figures the functions emit and the CloudWatch dashboard reads (infra/components/
dashboard.py): one name per figure, so code and dashboard cannot drift.

Namespace `names.METRICS_NAMESPACE`; every figure carries the dimension service=`names.SERVICE_NAME`,
and the per-channel and per-source ones also `channel` or `source` (emitted with
`core.observability.record_figure`, one EMF document each, dimensions set explicitly).
"""

from __future__ import annotations

CHANNEL_DIMENSION = "channel"
SOURCE_DIMENSION = "source"

# orders-worker, per channel, each shop task
ORDERS_PULLED = "OrdersPulled"  # orders stored new or changed by the pull (Count)
CHECKPOINT_LAG = "CheckpointLagSeconds"  # now − the shop's checkpoint after the pull (Seconds; read Maximum)
CHANNEL_API_CALLS = "ChannelApiCalls"  # calls made to the channel's API, retries included (Count)

# stock-flusher and stock-daily, per channel, each push
STOCK_PUSHES = "StockPushes"  # listing quantities the channel accepted (Count)
STOCK_REFUSALS = "StockRefusals"  # listing quantities it refused: for good (review) or for now (Count)

# tracking-worker, per source, each refresh (tracking.usecases.health)
TRACKING_ANSWERS = "TrackingAnswers"  # parcels the source answered (Count)
TRACKING_SILENT = "TrackingSilentFailures"  # of those, 200 OK without data (Count)

# suppliers-worker (dimension service only, the function's Metrics set)
PRODUCTS_BLOCKED = "SupplierProductsBlocked"  # products with no fresh supplier in this check (Count)

# push intake (order notices, 17TRACK pushes, eBay account deletions), per `system` (amazon, shopify,
# 17track, ebay): every message taken in, refused (with `reason`, core.inbound), and how old a
# taken order notice's change was when it was stored
INBOUND_DIMENSION = "system"
REASON_DIMENSION = "reason"
PUSHES_TAKEN = "PushesTaken"  # messages acted on (Count)
PUSHES_REFUSED = "PushesRefused"  # messages refused: unknown shop, forged, replayed, malformed, stale (Count)
NOTICE_DELAY = "NoticeDelaySeconds"  # the channel's change → the order stored (Seconds; read p99)

# Refusal reasons every receiver shares (values of REASON_DIMENSION; a receiver may add its own).
# ForgedPushesAlarm sums FORGED over every system, so each receiver must say it the same way.
FORGED = "forged"  # a signature that does not verify (or none where one is required)
MALFORMED = "malformed"  # not the documented shape (missing ids, wrong types, not JSON)
STALE = "stale"  # outside the freshness window
REPLAYED = "replayed"  # the same message (event id, or data) was already taken in
