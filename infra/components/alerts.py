"""The two topics people read: alerts (something needs a person now) and reports (the daily
operations digest, purchase suggestions). Both encrypted with one customer-managed KMS key, TLS only,
with an optional e-mail subscription whose undeliverable messages go to the undelivered-events queue.

A customer-managed key (not alias/aws/sns) because CloudWatch alarms can only publish to an encrypted
topic whose key policy lets cloudwatch.amazonaws.com use the key, and AWS-managed key policies cannot
be changed. The alerts topic's policy lets this account's alarms publish; nothing but the functions
that report publishes to the reports topic.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import ArnFormat, Aws, CfnOutput, Stack
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from infra.components.errors import InfraConfigError
from infra.components.naming import pin_logical_id

CLOUDWATCH = iam.ServicePrincipal("cloudwatch.amazonaws.com")


@dataclass(frozen=True)
class EncryptedTopic:
    topic: sns.Topic
    key: kms.Key

    def grant_publish(self, grantee: iam.IGrantable) -> None:
        """sns:Publish on this topic and the two key actions publishing needs (no wildcards)."""
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["sns:Publish"], resources=[self.topic.topic_arn])
        )
        grantee.grant_principal.add_to_principal_policy(
            iam.PolicyStatement(actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[self.key.key_arn])
        )


Alerts = EncryptedTopic  # the alerts topic's shape, as the functions' wiring names it


def _alarm_sources(stack: Stack) -> dict[str, dict[str, str]]:
    alarms = stack.format_arn(
        service="cloudwatch", resource="alarm", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
    )
    return {"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}, "ArnLike": {"aws:SourceArn": alarms}}


def _subscribe(
    scope: Construct, topic: sns.Topic, *, email: str | None, context_key: str, undeliverable: sqs.IQueue
) -> None:
    if "@" not in (email or "@"):
        raise InfraConfigError(f"context {context_key}={email!r} is not an e-mail address")
    if email:
        topic.add_subscription(subscriptions.EmailSubscription(email, dead_letter_queue=undeliverable))


def build_alerts(scope: Construct, *, alert_email: str | None, undeliverable: sqs.IQueue) -> EncryptedTopic:
    stack = Stack.of(scope)
    key = kms.Key(
        scope,
        "AlertsKey",
        description="Encrypts the Crossdock alerts and reports topics (usable by this account's CloudWatch alarms)",
        enable_key_rotation=True,
    )
    pin_logical_id(key, "AlertsKey")
    key.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsToPublish",
            principals=[CLOUDWATCH],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],  # as the SNS docs require for alarms
            resources=["*"],  # in a key policy "*" means this key
            conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
        )
    )
    topic = sns.Topic(scope, "AlertsTopic", master_key=key, enforce_ssl=True, display_name="Crossdock alerts")
    pin_logical_id(topic, "AlertsTopic")
    topic.add_to_resource_policy(
        iam.PolicyStatement(
            sid="AllowCloudWatchAlarmsToPublish",
            principals=[CLOUDWATCH],
            actions=["sns:Publish"],
            resources=[topic.topic_arn],
            conditions=_alarm_sources(stack),
        )
    )
    _subscribe(scope, topic, email=alert_email, context_key="alertEmail", undeliverable=undeliverable)
    if not alert_email:
        CfnOutput(
            scope,
            "AlertEmailSubscription",
            value="none: redeploy with -c alertEmail=ops@example.com (make deploy ALERT_EMAIL=...), "
            "or subscribe with: aws sns subscribe --protocol email --topic-arn <AlertsTopicArn> "
            "--notification-endpoint ops@example.com",
            description="How alerts reach people",
        )
    return EncryptedTopic(topic=topic, key=key)


def build_reports(
    scope: Construct, alerts: EncryptedTopic, *, report_email: str | None, undeliverable: sqs.IQueue
) -> EncryptedTopic:
    """The reports topic, encrypted with the alerts' key (one key to rotate and pay for); its e-mail
    is context `reportEmail`, else the alerts' address (the caller decides)."""
    topic = sns.Topic(
        scope, "ReportsTopic", master_key=alerts.key, enforce_ssl=True, display_name="Crossdock reports"
    )
    pin_logical_id(topic, "ReportsTopic")
    _subscribe(scope, topic, email=report_email, context_key="reportEmail", undeliverable=undeliverable)
    return EncryptedTopic(topic=topic, key=alerts.key)
