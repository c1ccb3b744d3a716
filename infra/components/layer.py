"""The dependencies layer: a pre-built directory (python/ inside), zipped as an asset at synth."""

from __future__ import annotations

from pathlib import Path

from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from infra.components.errors import InfraConfigError

PACKAGE_MARKER = Path("python") / "crossdock" / "__init__.py"


def check_layer_dir(layer_dir: Path) -> Path:
    """Fail early, with the fix, when the layer has not been built."""
    if not (layer_dir / PACKAGE_MARKER).is_file():
        raise InfraConfigError(
            f"Lambda layer not built: {layer_dir / PACKAGE_MARKER} does not exist. "
            "Run `make layer` (python -m infra.build_layer) first, "
            "or point the app at a built layer with `-c layerDir=<dir>`."
        )
    return layer_dir


def dependencies_layer(
    scope: Construct,
    construct_id: str,
    *,
    layer_dir: Path,
    runtime: lambda_.Runtime,
    architecture: lambda_.Architecture,
) -> lambda_.LayerVersion:
    return lambda_.LayerVersion(
        scope,
        construct_id,
        code=lambda_.Code.from_asset(str(check_layer_dir(layer_dir))),
        compatible_runtimes=[runtime],
        compatible_architectures=[architecture],
        description="Crossdock runtime dependencies (pyproject [project.dependencies]) and the crossdock package",
    )
