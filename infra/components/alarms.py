"""CloudWatch alarms that notify the alerts topic whenever a count that should stay at zero is not."""

from __future__ import annotations

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as actions
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from crossdock.core import figures
from crossdock.core.names import METRICS_NAMESPACE, SERVICE_NAME, TASKS_FAILED_DIMENSION, TASKS_FAILED_METRIC

PERIOD = Duration.minutes(5)


def alarm_when_positive(
    scope: Construct, construct_id: str, metric: cloudwatch.IMetric, description: str, topic: sns.ITopic
) -> cloudwatch.Alarm:
    alarm = cloudwatch.Alarm(
        scope,
        construct_id,
        metric=metric,
        threshold=0,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluation_periods=1,
        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        alarm_description=description,
    )
    alarm.add_alarm_action(actions.SnsAction(topic))
    return alarm


def alarm_on_dead_letters(
    scope: Construct, construct_id: str, queue: sqs.IQueue, what: str, topic: sns.ITopic
) -> cloudwatch.Alarm:
    metric = queue.metric_approximate_number_of_messages_visible(statistic="Maximum", period=PERIOD)
    return alarm_when_positive(scope, construct_id, metric, f"Messages are waiting in {what}", topic)


def alarm_on_failed_tasks(
    scope: Construct, construct_id: str, function: str, what: str, topic: sns.ITopic
) -> cloudwatch.Alarm:
    """A worker's records returned to their queue (`observability.counts_failures` emits the metric
    with exactly these dimensions): one failed task is enough; partial batch failures never reach
    the Lambda Errors metric."""
    metric = cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=TASKS_FAILED_METRIC,
        dimensions_map={"service": SERVICE_NAME, TASKS_FAILED_DIMENSION: function},
        statistic="Sum",
        period=PERIOD,
    )
    return alarm_when_positive(scope, construct_id, metric, f"Tasks of {what} failed", topic)


def forged_pushes() -> cloudwatch.MathExpression:
    """Pushes refused as forged, summed over every receiving system (whatever systems exist: a
    CloudWatch Metrics Insights query over the figure's exact dimensions, as `core.inbound.refuse`
    emits it: service, system, reason)."""
    schema = ", ".join(
        [METRICS_NAMESPACE, *sorted(("service", figures.INBOUND_DIMENSION, figures.REASON_DIMENSION))]
    )
    return cloudwatch.MathExpression(
        expression=(  # a CloudWatch Metrics Insights query from constants, not SQL
            f"SELECT SUM({figures.PUSHES_REFUSED}) FROM SCHEMA({schema}) "  # noqa: S608
            f"WHERE service = '{SERVICE_NAME}' AND {figures.REASON_DIMENSION} = '{figures.FORGED}'"
        ),
        using_metrics={},
        label="Pushes refused as forged",
        period=PERIOD,
    )


def alarm_on_forged_pushes(scope: Construct, construct_id: str, topic: sns.ITopic) -> cloudwatch.Alarm:
    """One forged push in five minutes notifies people: someone is probing the webhooks (or a
    platform's signing key or our copy of a secret changed)."""
    return alarm_when_positive(
        scope,
        construct_id,
        forged_pushes(),
        "A push with a signature that does not verify was refused",
        topic,
    )
