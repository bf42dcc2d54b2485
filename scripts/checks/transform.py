"""The template as `sam deploy` sends it, written to target/transformed/template.json.

`sam deploy` uploads every local artefact (CodeUri, DefinitionUri) to S3 and
CloudFormation runs the AWS::Serverless-2016-10-31 transform, which is
samtranslator: this module does the same offline. Each local path becomes
`s3://berth-artifacts/<path>` (statemachines/booking.asl.json keeps its path
in the key, so checkers can read the file the S3 object would hold), and the
managed-policy loader returns {} (Berth names no managed policy by name).
Parameter values are samconfig.toml's for one environment (prod by default:
edge, canaries), as `sam deploy --config-env prod` passes them.

    python scripts/checks/transform.py [--config-env prod] [--template template.yaml] [--out PATH]
"""

from __future__ import annotations

import argparse
import copy
import json
import logging
import os
import sys
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
ARTEFACT_BUCKET = "berth-artifacts"
OUT = ROOT / "target" / "transformed" / "template.json"

# The properties `sam package` uploads, per resource type (those Berth uses).
PACKAGED = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}


class NoManagedPolicies:
    """samtranslator's managed-policy loader: Berth names none by name."""

    def load(self) -> dict[str, str]:
        return {}


def artefact_uri(local_path: str) -> str:
    """Where `sam package` would have put a local artefact."""
    key = Path(local_path).as_posix().removeprefix("./")
    key = "code" if key in ("", ".") else key
    return f"s3://{ARTEFACT_BUCKET}/{key}"


def local_path_of(bucket: Any, key: Any) -> Path | None:
    """The repository file behind an S3 location artefact_uri made, if any."""
    if bucket != ARTEFACT_BUCKET or not isinstance(key, str):
        return None
    return ROOT / key


def package(template: dict[str, Any]) -> dict[str, Any]:
    """Every local CodeUri and DefinitionUri replaced by its S3 URI."""
    packaged = copy.deepcopy(template)
    function_globals = packaged.get("Globals", {}).get("Function", {})
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = artefact_uri(function_globals["CodeUri"])
    for logical_id, resource in packaged.get("Resources", {}).items():
        prop = PACKAGED.get(resource.get("Type"))
        properties = resource.get("Properties", {})
        if prop is None:
            continue
        value = properties.get(prop)
        if isinstance(value, str) and not value.startswith("s3://"):
            properties[prop] = artefact_uri(value)
        elif value is None and prop == "CodeUri" and "CodeUri" not in function_globals:
            sys.exit(f"transform: {logical_id} has no CodeUri")
    return packaged


def deploy_parameters(config_env: str, samconfig: Path) -> tuple[str, dict[str, str]]:
    """samconfig.toml's region and parameter_overrides for one environment."""
    config = tomllib.loads(samconfig.read_text())
    deploy = config[config_env]["deploy"]["parameters"]
    overrides = deploy.get("parameter_overrides", [])
    if isinstance(overrides, str):
        overrides = overrides.split()
    return deploy.get("region", "us-east-1"), dict(item.split("=", 1) for item in overrides)


def transform(
    template: dict[str, Any], parameters: dict[str, str], region: str = "us-east-1"
) -> dict[str, Any]:
    """The CloudFormation template CloudFormation would make of `template`."""
    from samtranslator.translator.transform import transform as sam_transform

    # The transform asks boto for the region (the ARN partition follows from it).
    os.environ["AWS_DEFAULT_REGION"] = region
    # It warns about feature toggles it has no configuration for: noise here.
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    return sam_transform(package(template), dict(parameters), NoManagedPolicies())


def load_template(path: Path) -> dict[str, Any]:
    from samcli.yamlhelper import yaml_parse

    return yaml_parse(path.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", type=Path, default=ROOT / "template.yaml")
    parser.add_argument("--config-env", default="prod")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    region, parameters = deploy_parameters(args.config_env, ROOT / "samconfig.toml")
    transformed = transform(load_template(args.template), parameters, region)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(transformed, indent=1, sort_keys=True) + "\n")
    resources = len(transformed.get("Resources", {}))
    print(f"transform: {args.out.relative_to(ROOT)}: {resources} resources ({args.config_env})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
