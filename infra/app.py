"""CDK entry point: `python infra/app.py [-c key=value ...] [-o outdir]` (also cdk.json's "app").

Run directly it writes the cloud assembly to cdk.out (or CDK_OUTDIR when the CDK CLI runs it). Run by
the CDK CLI (`cdk synth|deploy -c key=value`), the context arrives through the environment and
applies the same way. What changes the deployed stack (schedule overrides, deletion protection off)
is printed, so a deploy shows it took effect; a bad value stops the synth with the reason.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")  # the build hosts' Node
ROOT = Path(__file__).resolve().parent.parent
# Run as a script, Python puts infra/ first on sys.path; import `infra.*` and `crossdock` from the repo.
sys.path[:] = [p for p in sys.path if p and Path(p).resolve() != ROOT / "infra"]
sys.path[:0] = [str(ROOT), str(ROOT / "shared")]


def parse_context(pairs: list[str]) -> dict[str, str]:
    context = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise SystemExit(f"--context expects key=value, got {pair!r}")
        context[key] = value
    return context


def main(argv: list[str] | None = None) -> int:
    from infra.assembly import create_app
    from infra.components.errors import InfraConfigError
    from infra.components.specs import Specs
    from infra.runtime import DEFAULT_OUTDIR

    parser = argparse.ArgumentParser(description="Synthesize the Crossdock CloudFormation template")
    parser.add_argument("-c", "--context", action="append", default=[], metavar="KEY=VALUE")
    parser.add_argument("-o", "--output", help="cloud assembly directory (default: $CDK_OUTDIR or cdk.out)")
    args = parser.parse_args(argv)
    outdir = args.output or os.environ.get("CDK_OUTDIR") or str(DEFAULT_OUTDIR)
    try:
        app, stack = create_app(parse_context(args.context), outdir=outdir)
        app.synth()
    except InfraConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for spec, default in zip(stack.specs.functions, Specs().functions, strict=True):
        if spec.schedule != default.schedule:
            print(f"schedule of {spec.name}: {spec.schedule} (default {default.schedule})", file=sys.stderr)
    if not stack.deletion_protection:
        print("deletion protection off: the tables are deleted with the stack", file=sys.stderr)
    for route in stack.specs.routes:
        deployed = stack.routes.get(route.logical_id)
        where = f"from {deployed.source}" if deployed else f"not deployed (no -c {route.context_key}=...)"
        print(f"{route.logical_id}: {where}", file=sys.stderr)
    print(f"cloud assembly written to {outdir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
