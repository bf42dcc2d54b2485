"""Every stack as `sam deploy` sends it, written to target/transformed/.

template.yaml is the root stack; its resources are the nested stacks
(AWS::Serverless::Application, `Location: stacks/<name>.yaml`). `sam deploy`
uploads every local artefact (CodeUri, DefinitionUri, each nested template,
itself packaged) to S3 and CloudFormation runs the
AWS::Serverless-2016-10-31 transform, which is samtranslator, on each
template: this module does the same offline. A local path is read relative
to the template that names it, as SAM does; it becomes
`s3://berth-artifacts/<path from the repository root>`
(statemachines/booking.asl.json keeps its path in the key, so checkers can
read the file the S3 object would hold), a nested template
`https://s3.amazonaws.com/berth-artifacts/<path>`, and the managed-policy
loader returns {} (Berth names no managed policy by name). Parameter
values are samconfig.toml's for one environment (prod by default: edge,
canaries), as `sam deploy --config-env prod` passes them; a nested stack
gets those of the root's parameters it shares a name with (the root passes
them on as they are: scripts/checks/stacks.py holds it to that), and
AppName, the root stack's name.

Writes target/transformed/template.json (the root) and
target/transformed/<name>.json for each nested stack.

    python scripts/checks/transform.py [--config-env prod]
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
OUT_DIR = ROOT / "target" / "transformed"
OUT = OUT_DIR / "template.json"
TEMPLATE = ROOT / "template.yaml"
NESTED = "AWS::Serverless::Application"

# The properties `sam package` uploads, per resource type (those Berth uses).
PACKAGED = {
    "AWS::Serverless::Function": "CodeUri",
    "AWS::Serverless::StateMachine": "DefinitionUri",
}


class NoManagedPolicies:
    """samtranslator's managed-policy loader: Berth names none by name."""

    def load(self) -> dict[str, str]:
        return {}


def artefact_uri(local_path: str, base: Path = ROOT) -> str:
    """Where `sam package` would have put a local artefact named relative to `base`."""
    key = (base / local_path).resolve().relative_to(ROOT).as_posix()
    key = "code" if key in ("", ".") else key
    return f"s3://{ARTEFACT_BUCKET}/{key}"


def nested_template_url(location: str, base: Path = ROOT) -> str:
    """Where `sam package` would have put a nested stack's (packaged) template."""
    key = (base / location).resolve().relative_to(ROOT).as_posix()
    return f"https://s3.amazonaws.com/{ARTEFACT_BUCKET}/{key}"


def local_path_of(bucket: Any, key: Any) -> Path | None:
    """The repository file behind an S3 location artefact_uri made, if any."""
    if bucket != ARTEFACT_BUCKET or not isinstance(key, str):
        return None
    return ROOT / key


def package(template: dict[str, Any], base: Path = ROOT) -> dict[str, Any]:
    """Every local CodeUri, DefinitionUri and nested Location (relative to
    `base`, the template's directory) replaced by its S3 location."""
    packaged = copy.deepcopy(template)
    function_globals = packaged.get("Globals", {}).get("Function", {})
    if isinstance(function_globals.get("CodeUri"), str):
        function_globals["CodeUri"] = artefact_uri(function_globals["CodeUri"], base)
    for logical_id, resource in packaged.get("Resources", {}).items():
        properties = resource.get("Properties", {})
        if resource.get("Type") == NESTED and isinstance(properties.get("Location"), str):
            properties["Location"] = nested_template_url(properties["Location"], base)
        prop = PACKAGED.get(resource.get("Type"))
        if prop is None:
            continue
        value = properties.get(prop)
        if isinstance(value, str) and not value.startswith("s3://"):
            properties[prop] = artefact_uri(value, base)
        elif value is None and prop == "CodeUri" and "CodeUri" not in function_globals:
            sys.exit(f"transform: {logical_id} has no CodeUri")
    return packaged


def nested_stacks(root: dict[str, Any], base: Path = ROOT) -> dict[str, Path]:
    """Each nested stack of the root template: its logical id → its template file."""
    return {
        logical_id: (base / resource["Properties"]["Location"]).resolve()
        for logical_id, resource in root.get("Resources", {}).items()
        if resource.get("Type") == NESTED and isinstance(resource.get("Properties", {}).get("Location"), str)
    }


def stack_name(config_env: str, samconfig: Path) -> str:
    config = tomllib.loads(samconfig.read_text())
    return config[config_env]["deploy"]["parameters"]["stack_name"]


def deploy_parameters(config_env: str, samconfig: Path) -> tuple[str, dict[str, str]]:
    """samconfig.toml's region and parameter_overrides for one environment."""
    config = tomllib.loads(samconfig.read_text())
    deploy = config[config_env]["deploy"]["parameters"]
    overrides = deploy.get("parameter_overrides", [])
    if isinstance(overrides, str):
        overrides = overrides.split()
    return deploy.get("region", "us-east-1"), dict(item.split("=", 1) for item in overrides)


def transform(
    template: dict[str, Any], parameters: dict[str, str], region: str = "us-east-1", base: Path = ROOT
) -> dict[str, Any]:
    """The CloudFormation template CloudFormation would make of `template`."""
    from samtranslator.translator.transform import transform as sam_transform

    # The transform asks boto for the region (the ARN partition follows from it).
    os.environ["AWS_DEFAULT_REGION"] = region
    # It warns about feature toggles it has no configuration for: noise here.
    logging.getLogger("samtranslator").setLevel(logging.ERROR)
    return sam_transform(package(template, base), dict(parameters), NoManagedPolicies())


def nested_parameters(nested: dict[str, Any], root_parameters: dict[str, str], app_name: str) -> dict[str, str]:
    """What the root passes a nested stack, as far as it is known before
    deploying: the root's own parameters of the same name, and AppName."""
    wanted = nested.get("Parameters", {})
    values = {name: value for name, value in root_parameters.items() if name in wanted}
    if "AppName" in wanted:
        values["AppName"] = app_name
    return values


def transform_all(
    config_env: str = "prod", overrides: dict[str, str] | None = None, template: Path = TEMPLATE
) -> dict[str, dict[str, Any]]:
    """Every stack, transformed: "template" (the root) and each nested stack
    by its file's name (stacks/api.yaml → "api")."""
    region, parameters = deploy_parameters(config_env, ROOT / "samconfig.toml")
    parameters = {**parameters, **(overrides or {})}
    root = load_template(template)
    stacks = {"template": transform(root, parameters, region, template.parent)}
    app_name = stack_name(config_env, ROOT / "samconfig.toml")
    for path in nested_stacks(root, template.parent).values():
        nested = load_template(path)
        values = nested_parameters(nested, parameters, app_name)
        stacks[path.stem] = transform(nested, values, region, path.parent)
    return stacks


def load_template(path: Path) -> dict[str, Any]:
    from samcli.yamlhelper import yaml_parse

    return yaml_parse(path.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config-env", default="prod")
    args = parser.parse_args(argv)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for stale in OUT_DIR.glob("*.json"):
        stale.unlink()
    for name, transformed in transform_all(args.config_env).items():
        out = OUT_DIR / f"{name}.json"
        out.write_text(json.dumps(transformed, indent=1, sort_keys=True) + "\n")
        resources = len(transformed.get("Resources", {}))
        print(f"transform: {out.relative_to(ROOT)}: {resources} resources ({args.config_env})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
