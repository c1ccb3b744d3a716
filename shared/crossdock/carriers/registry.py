"""Tracking-source registry (one line per source) and the default fallback chain per carrier."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crossdock.carriers.fourpx import spec as fourpx
from crossdock.carriers.seventeen_track import spec as seventeen_track
from crossdock.carriers.yanwen import spec as yanwen

if TYPE_CHECKING:
    from crossdock.tracking.ports import SourceSpec

SOURCES: dict[str, SourceSpec] = {
    spec.name: spec for spec in (fourpx.SPEC, yanwen.SPEC, seventeen_track.SPEC)
}


def source(name: str) -> SourceSpec:
    try:
        return SOURCES[name]
    except KeyError:
        raise ValueError(f"unknown tracking source {name!r}; known: {', '.join(sorted(SOURCES))}") from None
