"""Published AWS prices, us-east-1, on-demand, without free tiers (a seller's account may have used
them up; the free tiers only lower these figures). Checked 2026-06 against the pages named beside
each constant (and third-party summaries of them where the AWS page could not be read).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prices:
    # https://aws.amazon.com/lambda/pricing/ — Arm (the stack deploys arm64:
    # infra/components/functions.py ARCHITECTURE): first 7.5 billion GB-s a month; requests for both
    # architectures. Duration is rounded up to the next 1 ms.
    lambda_arm_gb_second: float = 0.0000133334
    lambda_per_million_requests: float = 0.20
    # https://aws.amazon.com/dynamodb/pricing/on-demand/ — after the November 2024 price cut (−50 %).
    dynamodb_per_million_wru: float = 0.625
    dynamodb_per_million_rru: float = 0.125
    # https://aws.amazon.com/sqs/pricing/ — first 100 billion requests a month; every 64 KB chunk of a
    # payload is one request.
    sqs_standard_per_million: float = 0.40
    sqs_fifo_per_million: float = 0.50
    # https://aws.amazon.com/sns/pricing/ — publishes (per 64 KB chunk) and e-mail deliveries.
    sns_per_million_publishes: float = 0.50
    sns_email_per_100k: float = 2.00
    # https://aws.amazon.com/secrets-manager/pricing/
    secrets_per_10k_calls: float = 0.05
    secret_month: float = 0.40
    # https://aws.amazon.com/cloudwatch/pricing/ — Logs standard ingestion (the first tier), custom
    # metrics (first 10,000 a month), standard-resolution alarms, dashboards.
    logs_per_gb_ingested: float = 0.50
    custom_metric_month: float = 0.30
    alarm_month: float = 0.10
    dashboard_month: float = 3.00
    # https://aws.amazon.com/xray/pricing/ — traces recorded (the functions run with active tracing).
    xray_per_million_traces: float = 5.00
    # https://aws.amazon.com/eventbridge/pricing/ — scheduled rules invoking AWS targets: no charge.
    eventbridge_scheduled_invocation: float = 0.0


PRICES = Prices()
PRICES_CHECKED = "2026-06 (us-east-1, on-demand; DynamoDB after the Nov 2024 cut)"
