"""Sends alerts through SNS at most once per dedupe key and suppression window."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pynamodb.exceptions import PutError

from crossdock.core import aws
from crossdock.core.alerts.store import AlertModel

if TYPE_CHECKING:
    from crossdock.core.alerts.message import Alert
    from crossdock.core.config import Settings


class AlertSender:
    def __init__(self, topic_arn: str, *, suppression: timedelta, outbox_dir: str | None = None) -> None:
        self.topic_arn = topic_arn
        self.suppression = suppression
        self.outbox = Path(outbox_dir) if outbox_dir else None

    def send(self, alert: Alert, *, now: datetime) -> bool:
        """True if sent; False if an identical alert went out within the suppression window."""
        record = AlertModel(
            alert.dedupe_key,
            sent_at=now,
            subject=alert.render_subject(),
            expires_at=int((now + self.suppression * 24).timestamp()),
        )
        try:
            record.save(
                condition=AlertModel.dedupe_key.does_not_exist()
                | (AlertModel.sent_at < now - self.suppression)
            )
        except PutError as exc:
            if getattr(exc, "cause_response_code", None) != "ConditionalCheckFailedException":
                raise
            AlertModel(alert.dedupe_key).update(actions=[AlertModel.suppressed.add(1)])
            return False
        try:
            aws.client("sns").publish(
                TopicArn=self.topic_arn, Subject=alert.render_subject(), Message=alert.render_body()
            )
        except Exception:
            record.delete()  # not sent: let the next attempt send it
            raise
        if self.outbox:
            self._write_outbox(alert, now)
        return True

    def _write_outbox(self, alert: Alert, now: datetime) -> None:
        assert self.outbox is not None
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", alert.dedupe_key)[:80]
        path = self.outbox / f"{now:%Y%m%dT%H%M%S%f}-{name}.eml"
        path.write_text(
            f"To: alert subscribers of {self.topic_arn}\nSubject: {alert.render_subject()}\n\n{alert.render_body()}\n",
            encoding="utf-8",
        )


def alert_sender(settings: Settings) -> AlertSender:
    return AlertSender(
        settings.alerts_topic_arn, suppression=settings.alert_suppression, outbox_dir=settings.outbox_dir
    )
