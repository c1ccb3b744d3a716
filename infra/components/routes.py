"""Partner event routes from EventRouteSpec: the partner event bus, a rule, the queue as its target.

A SaaS partner (Shopify) publishes to a *partner event source* it created for this AWS account;
the account receives those events by creating an event bus named exactly like the source
(`events.EventBus(event_source_name=...)`, EventBridge "Receiving events from a SaaS partner"). The
rule matches the source and the route's detail types and sends each event, whole, to the route's
queue; `targets.SqsQueue` adds the queue-policy statement letting events.amazonaws.com send, scoped
to this rule's ARN (aws:SourceArn). Events the rule could not deliver (after EventBridge's 24 hours
of retries) go to the undelivered-events queue, alarmed like every dead-letter queue.

The source's name holds the partner's ids for this deployment (Shopify: app id and event source
name), so it comes from deploy context (`-c shopifyEventSource=aws.partner/shopify.com/<app id>/<name>`)
and is checked before anything is built. Without it nothing of the route is deployed: the queue and
its consumer still exist (the pull keeps reading that channel), and the synth carries a warning
(`crossdock:routeNotDeployed`) saying how to turn the route on. The partner event source must exist
in the account before the deploy (created from the partner's dashboard); EventBridge refuses to
create a partner bus for a source it does not know.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from aws_cdk import Annotations
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sqs as sqs
from constructs import Construct
from crossdock.core.names import SHOPIFY_EVENT_SOURCE_CONTEXT
from crossdock.core.specs import EventRouteSpec

from infra.components.errors import InfraConfigError
from infra.components.queues import WorkQueue

NOT_DEPLOYED_WARNING = "crossdock:routeNotDeployed"
# A partner event source's name (EventBridge API reference, CreatePartnerEventSource / EventBus Name:
# `aws\.partner(/[\.\-_A-Za-z0-9]+){2,}`, at most 256 characters), with exactly the segments
# partner/<account or app id>/<name> that Shopify's sources have.
SEGMENT = r"[.\-_A-Za-z0-9]+"
SOURCE_NAME = re.compile(rf"aws\.partner/(?P<partner>{SEGMENT})/(?P<app>{SEGMENT})/(?P<name>{SEGMENT})")
MAX_SOURCE_NAME = 256
# The partner whose sources a context key names (the EventRouteSpec does not say).
PARTNERS = {SHOPIFY_EVENT_SOURCE_CONTEXT: "shopify.com"}


@dataclass(frozen=True)
class PartnerRoute:
    spec: EventRouteSpec
    source: str  # the partner event source's name, as the context gave it
    bus: events.EventBus
    rule: events.Rule


def source_problem(spec: EventRouteSpec, value: str) -> str | None:
    """Why `value` is not a partner event source name this route can use (None: it is)."""
    partner = PARTNERS.get(spec.context_key, "<partner>")
    form = f"aws.partner/{partner}/<app id>/<name>"
    match = SOURCE_NAME.fullmatch(value)
    if not match or len(value) > MAX_SOURCE_NAME:
        return f"context {spec.context_key}={value!r} is not a partner event source name ({form})"
    if spec.context_key in PARTNERS and match["partner"] != partner:
        return f"context {spec.context_key}={value!r} names partner {match['partner']!r}, not {partner!r} ({form})"
    return None


def event_sources(routes: tuple[EventRouteSpec, ...], context: Mapping[str, object]) -> dict[str, str]:
    """Route logical id → its checked source name, for the routes whose context key is given."""
    chosen = {}
    for spec in routes:
        value = str(context.get(spec.context_key) or "").strip()
        if not value:
            continue
        problem = source_problem(spec, value)
        if problem:
            raise InfraConfigError(problem)
        chosen[spec.logical_id] = value
    return chosen


def build_route(
    scope: Construct, spec: EventRouteSpec, source: str, work: WorkQueue, undeliverable: sqs.IQueue
) -> PartnerRoute:
    bus = events.EventBus(scope, f"{spec.logical_id}Bus", event_source_name=source)
    rule = events.Rule(
        scope,
        f"{spec.logical_id}Rule",
        event_bus=bus,
        description=f"{source} ({', '.join(spec.detail_types)}) → {spec.queue}",
        event_pattern=events.EventPattern(source=[source], detail_type=list(spec.detail_types)),
        targets=[targets.SqsQueue(work.queue, dead_letter_queue=undeliverable)],
    )
    return PartnerRoute(spec=spec, source=source, bus=bus, rule=rule)


def build_routes(
    scope: Construct,
    routes: tuple[EventRouteSpec, ...],
    sources: Mapping[str, str],
    queues: Mapping[str, WorkQueue],
    undeliverable: sqs.IQueue,
) -> dict[str, PartnerRoute]:
    """The routes whose source is known; a warning on the stack for each one left out."""
    built = {}
    for spec in routes:
        source = sources.get(spec.logical_id)
        if source is None:
            partner = PARTNERS.get(spec.context_key, "<partner>")
            Annotations.of(scope).add_warning_v2(
                NOT_DEPLOYED_WARNING,
                f"{spec.logical_id} not deployed: no context {spec.context_key}. {spec.queue} and its "
                f"consumer exist, but nothing delivers to it; deploy with "
                f"-c {spec.context_key}=aws.partner/{partner}/<app id>/<name> to receive the partner's events",
            )
            continue
        built[spec.logical_id] = build_route(scope, spec, source, queues[spec.queue], undeliverable)
    return built
