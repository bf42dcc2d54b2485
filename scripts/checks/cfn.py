"""Reading a CloudFormation template (JSON form): which resources a value
refers to, and how to load the transformed template."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

# ${Name} or ${Name.Attr} in an Fn::Sub string; ${!Literal} is no reference.
SUB_VARIABLE = re.compile(r"\$\{(?!!)([^}.\s]+)(?:\.[^}]+)?\}")


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text())


def load_stacks(paths: list[Path], directory: Path) -> dict[str, dict[str, Any]]:
    """The transformed templates named on a checker's command line, or, with
    none named, every stack transform.py wrote to `directory` (the root's
    template.json and one file per nested stack), by name."""
    files = paths or sorted(directory.glob("*.json"))
    if not files:
        raise SystemExit(f"no transformed templates in {directory}: run scripts/checks/transform.py first")
    return {path.stem: load(path) for path in files}


def references(value: Any, where: str = "") -> Iterator[tuple[str, str]]:
    """Every (name, where) a value refers to with Ref, Fn::GetAtt or Fn::Sub,
    however deep; `where` is the dotted path to the reference. Names may be
    parameters or pseudo parameters: callers keep the resources."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and isinstance(value["Ref"], str):
            yield value["Ref"], where
            return
        if set(value) == {"Fn::GetAtt"}:
            target = value["Fn::GetAtt"]
            name = target.split(".", 1)[0] if isinstance(target, str) else target[0]
            if isinstance(name, str):
                yield name, where
            return
        if set(value) == {"Fn::Sub"}:
            yield from sub_references(value["Fn::Sub"], where)
            return
        for key, item in value.items():
            yield from references(item, f"{where}.{key}" if where else key)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from references(item, f"{where}[{index}]")


def sub_references(argument: Any, where: str) -> Iterator[tuple[str, str]]:
    """References of an Fn::Sub: its string's ${X} and ${X.Attr} that are
    not its own variables, and whatever its variables' values refer to."""
    if isinstance(argument, str):
        text, variables = argument, {}
    else:
        text, variables = argument[0], argument[1] if len(argument) > 1 else {}
    for match in SUB_VARIABLE.finditer(text if isinstance(text, str) else ""):
        if match.group(1) not in variables:
            yield match.group(1), where
    for name, item in variables.items():
        yield from references(item, f"{where}.{name}")


def merged(stacks: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The nested stacks' resources as one template (the root, "template",
    left out): what the system holds, for checks about functions wherever
    they live. Logical ids are unique across stacks (scripts/checks/stacks.py)."""
    resources: dict[str, Any] = {}
    for name, template in stacks.items():
        if name != "template":
            resources.update(template.get("Resources", {}))
    return {"Resources": resources}


def resources_of_type(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource
        for logical_id, resource in template.get("Resources", {}).items()
        if resource.get("Type") == kind
    }
