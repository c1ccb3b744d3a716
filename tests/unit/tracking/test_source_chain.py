"""Source order: demoted sources are asked last (never dropped), and a source is demoted or promoted
back by its last hour's silent share, with a gap between the two rates so it does not flap."""

from __future__ import annotations

import pytest
from crossdock.tracking.rules.source_chain import HealthChange, effective_chain, health_change

DEMOTE, PROMOTE = HealthChange.DEMOTE, HealthChange.PROMOTE


@pytest.mark.parametrize(
    ("chain", "demoted", "expected"),
    [
        (("4px", "17track"), (), ("4px", "17track")),
        (("4px", "17track"), ("4px",), ("17track", "4px")),
        (("4px", "17track"), ("17track",), ("4px", "17track")),
        (("4px", "yanwen", "17track"), ("4px", "yanwen"), ("17track", "4px", "yanwen")),
        (("yanwen", "4px", "17track"), ("4px", "yanwen"), ("17track", "yanwen", "4px")),
        (("4px", "yanwen", "17track"), ("yanwen",), ("4px", "17track", "yanwen")),
        (("4px", "17track"), ("4px", "17track"), ("4px", "17track")),
        (("4px", "17track"), ("yanwen",), ("4px", "17track")),
        ((), ("4px",), ()),
    ],
    ids=[
        "nothing-demoted",
        "first-demoted-goes-last",
        "last-demoted-stays-last",
        "two-demoted-keep-their-order-behind-the-healthy",
        "two-demoted-keep-the-chain-order-not-the-demotion-order",
        "middle-demoted-goes-last",
        "all-demoted-keep-their-order",
        "a-demoted-source-outside-the-chain-is-ignored",
        "empty-chain",
    ],
)
def test_effective_chain(chain: tuple[str, ...], demoted: tuple[str, ...], expected: tuple[str, ...]) -> None:
    # When
    result = effective_chain(chain, frozenset(demoted))

    # Then
    assert result == expected
    assert sorted(result) == sorted(chain)  # a demoted source is still asked


RULES = {"demote_rate": 0.5, "promote_rate": 0.2, "min_answers": 20}


@pytest.mark.parametrize(
    ("answers", "silent", "demoted", "expected"),
    [
        (0, 0, False, None),
        (19, 19, False, None),
        (20, 10, False, None),
        (20, 11, False, DEMOTE),
        (100, 100, False, DEMOTE),
        (20, 0, False, None),
        (20, 4, False, None),
        (0, 0, True, None),
        (4, 0, True, None),
        (5, 0, True, PROMOTE),
        (20, 3, True, PROMOTE),
        (20, 4, True, None),
        (20, 7, True, None),
        (20, 10, True, None),
        (20, 20, True, None),
    ],
    ids=[
        "healthy-no-answers",
        "healthy-all-silent-but-too-few-answers",
        "healthy-at-the-demote-rate-stays",
        "healthy-past-the-demote-rate-is-demoted",
        "healthy-all-silent-is-demoted",
        "healthy-all-good-stays",
        "healthy-below-the-promote-rate-stays",
        "demoted-without-probes-stays",
        "demoted-with-too-few-probes-stays",
        "demoted-with-a-quarter-of-min-answers-all-good-is-promoted",
        "demoted-below-the-promote-rate-is-promoted",
        "demoted-at-the-promote-rate-stays",
        "demoted-between-the-rates-stays",
        "demoted-at-the-demote-rate-stays",
        "demoted-all-silent-is-not-demoted-again",
    ],
)
def test_health_change(answers: int, silent: int, demoted: bool, expected: HealthChange | None) -> None:
    # When
    change = health_change(answers=answers, silent=silent, demoted=demoted, **RULES)  # type: ignore[arg-type]

    # Then
    assert change is expected


@pytest.mark.parametrize(
    ("min_answers", "answers", "expected"),
    [(1, 1, PROMOTE), (2, 1, PROMOTE), (3, 1, PROMOTE), (8, 1, None), (8, 2, PROMOTE)],
    ids=["min-1", "min-2-one-probe", "min-3-one-probe", "min-8-one-probe", "min-8-two-probes"],
)
def test_a_demoted_source_needs_a_quarter_of_min_answers_and_at_least_one_probe(
    min_answers: int, answers: int, expected: HealthChange | None
) -> None:
    # When
    change = health_change(
        answers=answers, silent=0, demoted=True, demote_rate=0.5, promote_rate=0.2, min_answers=min_answers
    )

    # Then
    assert change is expected


def test_a_source_hovering_between_the_rates_does_not_flap() -> None:
    # Given hourly silent shares around the middle of the gap, starting healthy
    shares = [0.3, 0.45, 0.55, 0.45, 0.3, 0.25, 0.45, 0.21, 0.15, 0.3, 0.45]
    demoted = False
    changes: list[HealthChange] = []

    # When
    for share in shares:
        change = health_change(
            answers=100,
            silent=round(share * 100),
            demoted=demoted,
            **RULES,  # type: ignore[arg-type]
        )
        if change is not None:
            changes.append(change)
            demoted = change is DEMOTE

    # Then: one demotion when the share passed 50 %, one promotion when it fell below 20 %
    assert changes == [DEMOTE, PROMOTE]
    assert demoted is False
