"""The operations dashboard, one per deployment (`<stack>-operations`), built with
cdk-monitoring-constructs: a section per job (orders, stock, tracking, suppliers, operations) with
its functions' errors, duration and throttles, its queues' oldest-message age and dead-letter depth,
and the job's business figures (`crossdock.core.figures`, emitted by its functions).

The sections follow the specs: a function, queue or table belongs to the job whose `resources.py`
declares it, so a new one appears in its job's section without touching this file; anything no job
declares lands in an "Other" section rather than nowhere. A last "Push intake" section reads what
every push receiver (order notices, 17TRACK pushes, eBay account deletions) counts through
`core.inbound`: pushes taken per system, pushes refused per system and reason, and how old a noticed
order change was when it was stored (p50, p99). Those are CloudWatch SEARCH expressions over the
figures' exact dimensions, so a new receiving system or refusal reason shows up without touching
this file. No alarm is created here: the stack's alarms (functions, failed tasks, dead letters,
forged pushes) stay as they are.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from aws_cdk import Duration
from aws_cdk import aws_cloudwatch as cloudwatch
from cdk_monitoring_constructs import CustomMetricGroup, DefaultDashboardFactory, MonitoringFacade
from crossdock.carriers.registry import SOURCES
from crossdock.channels.registry import CHANNELS
from crossdock.core import figures
from crossdock.core.names import METRICS_NAMESPACE, SERVICE_NAME
from crossdock.core.specs import FunctionSpec, QueueSpec

from infra.components.errors import InfraConfigError
from infra.components.naming import construct_id, pin_logical_id

if TYPE_CHECKING:
    from infra.stack import CrossdockStack

JOBS = ("orders", "stock", "tracking", "suppliers", "operations")
DASHBOARD_ID = "OperationsDashboard"
MONITORING_ID = "OperationsMonitoring"  # the facade: any alarm it made would be under this id
OPERATIONS = "Operations"  # its section also shows the undelivered-events queue
PUSH_INTAKE = "Push intake"
PERIOD = Duration.minutes(5)


def dashboard_name(stack_name: str) -> str:
    return f"{stack_name}-operations"


@dataclass
class Section:
    title: str
    functions: list[str] = field(default_factory=list)  # FunctionSpec names
    queues: list[str] = field(default_factory=list)  # QueueSpec logical ids


def declared_by(job: str) -> tuple[set[str], set[str]]:
    """(function names, queue logical ids) the job's resources module declares (none if it has none)."""
    try:
        module = importlib.import_module(f"crossdock.{job}.resources")
    except ModuleNotFoundError:
        return set(), set()
    values = list(vars(module).values())
    return (
        {v.name for v in values if isinstance(v, FunctionSpec)},
        {v.logical_id for v in values if isinstance(v, QueueSpec)},
    )


def sections(functions: Iterable[FunctionSpec], queues: Iterable[QueueSpec]) -> list[Section]:
    """One section per job, in JOBS order, then "Other" for anything no job declares."""
    by_job = {job: Section(job.capitalize()) for job in JOBS}
    other = Section("Other")
    declared = {job: declared_by(job) for job in JOBS}
    for spec in functions:
        job = next((j for j in JOBS if spec.name in declared[j][0]), None)
        (by_job[job] if job else other).functions.append(spec.name)
    for queue in queues:
        job = next((j for j in JOBS if queue.logical_id in declared[j][1]), None)
        (by_job[job] if job else other).queues.append(queue.logical_id)
    return [*by_job.values(), *([other] if other.functions or other.queues else [])]


def figure(name: str, statistic: str, label: str, **dimensions: str) -> cloudwatch.Metric:
    """A business figure exactly as `observability.record_figure` emits it: {service, **dimensions}."""
    return cloudwatch.Metric(
        namespace=METRICS_NAMESPACE,
        metric_name=name,
        dimensions_map={"service": SERVICE_NAME, **dimensions},
        statistic=statistic,
        period=PERIOD,
        label=label,
    )


def per_channel(title: str, name: str, statistic: str = "Sum") -> CustomMetricGroup:
    metrics = [figure(name, statistic, c, **{figures.CHANNEL_DIMENSION: c}) for c in CHANNELS]
    return CustomMetricGroup(title=title, metrics=metrics)


def silent_rate(index: int, source: str) -> cloudwatch.MathExpression:
    """Silent answers ÷ answers of one source, in percent, over each period (not an average of
    per-invocation rates: a refresh of 1 parcel would weigh as much as one of 100)."""
    dims = {figures.SOURCE_DIMENSION: source}
    return cloudwatch.MathExpression(
        expression=f"100 * silent{index} / answers{index}",
        using_metrics={
            f"silent{index}": figure(figures.TRACKING_SILENT, "Sum", f"{source} silent", **dims),
            f"answers{index}": figure(figures.TRACKING_ANSWERS, "Sum", f"{source} answers", **dims),
        },
        label=source,
        period=PERIOD,
    )


def _orders() -> list[CustomMetricGroup]:
    return [
        per_channel("Orders pulled (new or changed) per channel", figures.ORDERS_PULLED),
        per_channel("Checkpoint lag per channel (max, s)", figures.CHECKPOINT_LAG, "Maximum"),
        per_channel("Channel API calls per channel", figures.CHANNEL_API_CALLS),
    ]


def _stock() -> list[CustomMetricGroup]:
    return [
        per_channel("Stock pushes accepted per channel", figures.STOCK_PUSHES),
        per_channel("Stock pushes refused per channel", figures.STOCK_REFUSALS),
    ]


def _tracking() -> list[CustomMetricGroup]:
    dim = figures.SOURCE_DIMENSION
    answers = [figure(figures.TRACKING_ANSWERS, "Sum", s, **{dim: s}) for s in SOURCES]
    rates = [silent_rate(i, s) for i, s in enumerate(SOURCES)]
    return [
        CustomMetricGroup(title="Tracking answers per source", metrics=answers),
        CustomMetricGroup(title="Silent answers per source (%)", metrics=rates),
    ]


def _suppliers() -> list[CustomMetricGroup]:
    blocked = figure(figures.PRODUCTS_BLOCKED, "Sum", "blocked")
    return [CustomMetricGroup(title="Products blocked (no fresh supplier)", metrics=[blocked])]


def search(
    name: str, dimensions: Sequence[str], statistic: str, suffix: str = ""
) -> cloudwatch.MathExpression:
    """Every series of figure `name` with exactly {service, *dimensions}: one line per value
    combination (CloudWatch SEARCH), labelled by those values (dynamic labels) and `suffix`."""
    schema = ",".join([METRICS_NAMESPACE, *sorted(["service", *dimensions])])
    label = " ".join([*(f"${{PROP('Dim.{d}')}}" for d in dimensions), *([suffix] if suffix else [])])
    return cloudwatch.MathExpression(
        expression=(
            f"SEARCH('{{{schema}}} MetricName=\"{name}\" service=\"{SERVICE_NAME}\"', '{statistic}', "
            f"{int(PERIOD.to_seconds())})"
        ),
        using_metrics={},
        label=label,
        period=PERIOD,
    )


def _push_intake() -> list[CustomMetricGroup]:
    system, reason = figures.INBOUND_DIMENSION, figures.REASON_DIMENSION
    return [
        CustomMetricGroup(
            title="Pushes taken per system", metrics=[search(figures.PUSHES_TAKEN, [system], "Sum")]
        ),
        CustomMetricGroup(
            title="Pushes refused per system and reason",
            metrics=[search(figures.PUSHES_REFUSED, [system, reason], "Sum")],
        ),
        CustomMetricGroup(
            title="Order notice delay: change → stored (s)",
            metrics=[
                search(figures.NOTICE_DELAY, [system], "p50", "p50"),
                search(figures.NOTICE_DELAY, [system], "p99", "p99"),
            ],
        ),
    ]


FIGURES = {"orders": _orders, "stock": _stock, "tracking": _tracking, "suppliers": _suppliers}


def operations_dashboard(stack: CrossdockStack) -> cloudwatch.Dashboard:
    """Built from the stack's functions and queues (CrossdockStack attributes)."""
    factory = DefaultDashboardFactory(
        stack,
        "OperationsDashboardFactory",
        dashboard_name_prefix=dashboard_name(stack.stack_name),
        create_dashboard=True,
        create_summary_dashboard=False,
        create_alarm_dashboard=False,
    )
    facade = MonitoringFacade(stack, MONITORING_ID, dashboard_factory=factory)
    functions = {fn.spec.name: fn for fn in stack.functions.values()}
    queues = {work.spec.logical_id: work for work in stack.queues.values()}
    specs = [fn.spec for fn in functions.values()]
    for section in sections(specs, [work.spec for work in queues.values()]):
        facade.add_large_header(section.title)
        for name in section.functions:
            facade.monitor_lambda_function(
                lambda_function=functions[name].function,
                human_readable_name=name,
                alarm_friendly_name=construct_id(name),
            )
        for logical_id in section.queues:
            work = queues[logical_id]
            facade.monitor_sqs_queue_with_dlq(
                queue=work.queue,
                dead_letter_queue=work.dead_letters,
                human_readable_name=logical_id,
                alarm_friendly_name=logical_id,
            )
        groups: Sequence[CustomMetricGroup] = FIGURES.get(section.title.lower(), list)()
        if groups:
            facade.monitor_custom(
                metric_groups=list(groups),
                human_readable_name=f"{section.title}: business figures",
                alarm_friendly_name=f"{section.title}Figures",
            )
        if section.title == OPERATIONS:
            facade.monitor_sqs_queue(
                queue=stack.undeliverable,
                human_readable_name="Undelivered events (scheduled runs, e-mails)",
                alarm_friendly_name="UndeliveredEvents",
            )
    facade.add_large_header(PUSH_INTAKE)
    facade.monitor_custom(
        metric_groups=_push_intake(),
        human_readable_name=f"{PUSH_INTAKE}: taken, refused, delay",
        alarm_friendly_name="PushIntakeFigures",
    )
    dashboard = factory.created_dashboard()
    if dashboard is None:  # create_dashboard=True: the factory always builds it
        raise InfraConfigError("cdk-monitoring-constructs created no dashboard")
    pin_logical_id(dashboard, DASHBOARD_ID)  # a named resource: replacing it would clash on its name
    return dashboard
