"""Sends alerts through SNS at most once per dedupe key and suppression window, and reports (daily
digests, purchase suggestions) to the reports topic — the alerts topic when no reports topic is set.

Every e-mail actually published is recorded in the alert log (`store.AlertLog`). A log write that
fails does not undo or repeat the e-mail: it is logged as a warning (the e-mail is what matters).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pynamodb.exceptions import PutError, PynamoDBException

from crossdock.core import aws
from crossdock.core.alerts.store import ALERTS, REPORTS, AlertLog, AlertModel

if TYPE_CHECKING:
    from crossdock.core.alerts.message import Alert
    from crossdock.core.alerts.report import Report
    from crossdock.core.config import Settings

_log = logging.getLogger(__name__)
REPORT_FILE_MARK = "report-"  # outbox: `<time>-report-<key>.eml` for reports, `<time>-<key>.eml` for alerts


class AlertSender:
    def __init__(
        self,
        topic_arn: str,
        *,
        suppression: timedelta,
        outbox_dir: str | None = None,
        reports_topic_arn: str = "",
        log: AlertLog | None = None,
    ) -> None:
        self.topic_arn = topic_arn
        self.reports_topic_arn = reports_topic_arn or topic_arn
        self.suppression = suppression
        self.outbox = Path(outbox_dir) if outbox_dir else None
        self.log = log or AlertLog()

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
        subject, body = alert.render_subject(), alert.render_body()
        try:
            aws.client("sns").publish(TopicArn=self.topic_arn, Subject=subject, Message=body)
        except Exception:
            record.delete()  # not sent: let the next attempt send it
            raise
        self._logged(ALERTS, alert.dedupe_key, subject, body, now)
        if self.outbox:
            self._write_outbox(self.topic_arn, alert.dedupe_key, subject, body, now, mark="")
        return True

    def publish_report(self, report: Report, *, now: datetime) -> None:
        """Publish a report to the reports topic. Not deduplicated: asking for it again sends it again."""
        subject, body = report.render_subject(), report.render_body()
        aws.client("sns").publish(TopicArn=self.reports_topic_arn, Subject=subject, Message=body)
        self._logged(REPORTS, report.key, subject, body, now)
        if self.outbox:
            self._write_outbox(self.reports_topic_arn, report.key, subject, body, now, mark=REPORT_FILE_MARK)

    def _logged(self, topic: str, key: str, subject: str, body: str, now: datetime) -> None:
        try:
            self.log.record(topic=topic, key=key, subject=subject, body=body, now=now)
        except PynamoDBException as exc:
            _log.warning("published but not logged: %s (%s)", subject, exc)

    def _write_outbox(
        self, topic_arn: str, key: str, subject: str, body: str, now: datetime, *, mark: str
    ) -> None:
        assert self.outbox is not None
        self.outbox.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", key)[:80]
        kind = "report" if mark else "alert"
        path = self.outbox / f"{now:%Y%m%dT%H%M%S%f}-{mark}{name}.eml"
        path.write_text(
            f"To: {kind} subscribers of {topic_arn}\nSubject: {subject}\n\n{body}\n", encoding="utf-8"
        )


def alert_sender(settings: Settings) -> AlertSender:
    return AlertSender(
        settings.alerts_topic_arn,
        suppression=settings.alert_suppression,
        outbox_dir=settings.outbox_dir,
        reports_topic_arn=settings.reports_topic_arn,
    )
