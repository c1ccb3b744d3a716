"""The sourcing catalog, decisions and supplier staleness runs in DynamoDB."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pynamodb.exceptions import UpdateError
from pynamodb.expressions.update import Action

from crossdock.suppliers.rules.sourcing import Decision, SourcingEntry, SupplierLink
from crossdock.suppliers.storage.tables import SourcingModel, SupplierDecisionModel, SupplierStateModel

QUOTA_MARK = " quota"  # ends `blocked_reported` when the digest said "blocked by the quota only"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def to_entry(item: SourcingModel) -> SourcingEntry:
    return SourcingEntry.create(
        sku=item.sku,
        suppliers=[
            SupplierLink(
                supplier_id=s["supplier_id"],
                platform=s.get("platform", "1688"),
                product_id=str(s["product_id"]),
                sku_id=s.get("sku_id") or None,
                priority=int(s["priority"]),
            )
            for s in item.suppliers or []
        ],
        limit_minutes=int(item.limit_minutes),
        lead_time_days=int(item.lead_time_days),
        pack_size=int(item.pack_size),
    )


class SourcingRepository:
    def save_entry(self, entry: SourcingEntry, *, reorder_qty: int, now: datetime) -> None:
        """Create or replace a product's suppliers and limits; its reorder state is kept."""
        links = [
            {
                "supplier_id": s.supplier_id,
                "platform": s.platform,
                "product_id": s.product_id,
                "sku_id": s.sku_id,
                "priority": s.priority,
            }
            for s in entry.ordered()
        ]
        current = self.item(entry.sku)
        reset: list[Action] = []
        if current is not None and (current.suppliers or []) != links:
            # The last decision was about other suppliers: purchasing waits for the next check.
            reset = [
                SourcingModel.reorder_status.set("unchecked"),
                SourcingModel.last_decision.set({}),
                SourcingModel.blocked_since.remove(),
                SourcingModel.blocked_reported.remove(),
            ]
        SourcingModel(entry.sku).update(
            actions=[
                *reset,
                SourcingModel.suppliers.set(links),
                SourcingModel.limit_minutes.set(int(entry.limit.total_seconds() // 60)),
                SourcingModel.lead_time_days.set(entry.lead_time_days),
                SourcingModel.pack_size.set(entry.pack_size),
                SourcingModel.reorder_qty.set(reorder_qty),
                SourcingModel.updated_at.set(now),
            ]
        )

    def item(self, sku: str) -> SourcingModel | None:
        try:
            return SourcingModel.get(sku, consistent_read=True)
        except SourcingModel.DoesNotExist:
            return None

    def items(self, skus: Iterable[str]) -> list[SourcingModel]:
        return list(SourcingModel.batch_get(list(dict.fromkeys(skus)), consistent_read=True))

    def all_skus(self) -> list[str]:
        """Every product in the catalog (the catalog is the work list: read whole, keys only)."""
        return sorted(item.sku for item in SourcingModel.scan(attributes_to_get=["sku"]))

    def all(self) -> list[SourcingModel]:
        return sorted(SourcingModel.scan(), key=lambda item: item.sku)

    def record(self, decision: Decision, *, ttl: timedelta) -> SourcingModel:
        """Keep the decision, and set what purchasing sees; returns the product as updated."""
        at = decision.decided_at
        record = decision.to_dict()
        SupplierDecisionModel(
            decision.sku, iso(at), record=record, expires_at=int((at + ttl).timestamp())
        ).save()
        item = SourcingModel(decision.sku)
        actions: list[Action] = [
            SourcingModel.reorder_status.set("blocked" if decision.blocked else "ok"),
            SourcingModel.last_decision.set(record),
            SourcingModel.last_checked_at.set(at),
        ]
        if decision.blocked:
            actions.append(SourcingModel.blocked_since.set(SourcingModel.blocked_since | at))
        else:
            actions += [SourcingModel.blocked_since.remove(), SourcingModel.blocked_reported.remove()]
        item.update(actions=actions)
        return item

    def mark_block_reported(self, items: Iterable[SourcingModel], *, quota: Collection[str] = ()) -> None:
        """The blocked digest named them; those in `quota` (SKUs) were reported as blocked by the
        platform's quota only, so a later cause in the same blocked spell is reported again."""
        for item in items:
            if item.blocked_since is not None:
                mark = iso(item.blocked_since) + (QUOTA_MARK if item.sku in quota else "")
                SourcingModel(item.sku).update(actions=[SourcingModel.blocked_reported.set(mark)])

    def history(self, sku: str, *, limit: int = 20) -> list[dict[str, object]]:
        found = SupplierDecisionModel.query(sku, scan_index_forward=False, limit=limit)
        return [item.record for item in found]


@dataclass(frozen=True)
class StaleRun:
    supplier_key: str
    since: datetime
    newly_stuck: bool  # stale for longer than the limit, flagged now (once per run)


class SupplierStates:
    """Per supplier offer: since when its answers have been stale in a row. Per platform: since when
    its call quota is used up (one incident from the first refused call to the first good read)."""

    def quota_out(self, platform: str, now: datetime) -> bool:
        """Record the platform's quota as used up; True only for the call that found it so (once per
        incident, however many workers hit it at once)."""
        try:
            SupplierStateModel(f"quota#{platform}").update(
                actions=[SupplierStateModel.quota_out_since.set(now)],
                condition=SupplierStateModel.quota_out_since.does_not_exist(),
            )
        except UpdateError as exc:
            if getattr(exc, "cause_response_code", None) == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def quota_back(self, platform: str) -> None:
        """A read went through: the incident is over (the next exhaustion alerts again)."""
        try:
            SupplierStateModel(f"quota#{platform}").update(
                actions=[SupplierStateModel.quota_out_since.remove()],
                condition=SupplierStateModel.quota_out_since.exists(),
            )
        except UpdateError as exc:
            if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise

    def note(
        self, key: str, *, stale: bool, reason: str, now: datetime, stuck_after: timedelta
    ) -> StaleRun | None:
        item = SupplierStateModel(key)
        if not stale:
            item.update(
                actions=[
                    SupplierStateModel.stale_since.remove(),
                    SupplierStateModel.stuck_flagged_at.remove(),
                    SupplierStateModel.last_fresh_at.set(now),
                    SupplierStateModel.last_reason.set(reason),
                ]
            )
            return None
        item.update(
            actions=[
                SupplierStateModel.stale_since.set(SupplierStateModel.stale_since | now),
                SupplierStateModel.last_reason.set(reason),
            ]
        )
        since = item.stale_since or now
        newly_stuck = now - since >= stuck_after and item.stuck_flagged_at is None
        if newly_stuck:
            item.update(actions=[SupplierStateModel.stuck_flagged_at.set(now)])
        return StaleRun(key, since, newly_stuck)
