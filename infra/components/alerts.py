"""The alerts topic: customer-managed KMS key, TLS only, optional e-mail subscription.

A customer-managed key (not alias/aws/sns) because CloudWatch alarms can only publish to an encrypted
topic whose key policy lets cloudwatch.amazonaws.com use the key, and AWS-managed key policies cannot
be changed. The topic policy lets this account's alarms publish.
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
class Alerts:
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


def _alarm_sources(stack: Stack) -> dict[str, dict[str, str]]:
    alarms = stack.format_arn(
        service="cloudwatch", resource="alarm", resource_name="*", arn_format=ArnFormat.COLON_RESOURCE_NAME
    )
    return {"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}, "ArnLike": {"aws:SourceArn": alarms}}


def build_alerts(scope: Construct, *, alert_email: str | None, undeliverable: sqs.IQueue) -> Alerts:
    stack = Stack.of(scope)
    key = kms.Key(
        scope,
        "AlertsKey",
        description="Encrypts the Crossdock alerts topic (usable by this account's CloudWatch alarms)",
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
    if alert_email:
        if "@" not in alert_email:
            raise InfraConfigError(f"context alertEmail={alert_email!r} is not an e-mail address")
        topic.add_subscription(subscriptions.EmailSubscription(alert_email, dead_letter_queue=undeliverable))
    else:
        CfnOutput(
            scope,
            "AlertEmailSubscription",
            value="none: redeploy with -c alertEmail=ops@example.com (make deploy ALERT_EMAIL=...), "
            "or subscribe with: aws sns subscribe --protocol email --topic-arn <AlertsTopicArn> "
            "--notification-endpoint ops@example.com",
            description="How alerts reach people",
        )
    return Alerts(topic=topic, key=key)
