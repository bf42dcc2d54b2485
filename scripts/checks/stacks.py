"""The nested stacks fit CloudFormation's quotas and are wired as they say.

CloudFormation refuses a template that declares more than 500 resources,
200 parameters or 200 outputs, and a parameter value over 4,096 bytes
("Understand CloudFormation quotas", AWS CloudFormation User Guide,
https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
The dashboard's fragments are the longest values passed between stacks:
each is estimated with every name it substitutes at 64 characters (the
longest a Lambda function's name can be).
The SAM transform multiplies functions (each becomes its function, role,
version, alias, deployment group and permissions), so the count that
matters is the transformed one, and Berth keeps each stack under 400 to
leave room for a domain's next functions.

template.yaml's resources are the nested stacks (AWS::Serverless::Application,
which SAM turns into AWS::CloudFormation::Stack). Each is wired by the root:
- every parameter a nested template declares without a Default is given,
  and the root gives no parameter the template does not declare
  (CloudFormation fails the nested stack otherwise);
- a `Fn::GetAtt <Stack>.Outputs.<Name>` names a nested stack and an output
  its template declares, without a Condition (an output whose condition is
  false does not exist, and reading it fails the deployment: such outputs
  give "" instead);
- a root parameter passed on goes to the nested parameter of the same name,
  as is (transform.py transforms each nested stack with the root's values on
  that ground);
- no logical id is in two stacks (the tests read the stacks as one system);
- every function is on the dashboard: a stack's FunctionErrorMetrics and
  FunctionDurationMetrics outputs (the api stack's Dashboard puts them
  together) name each of its functions, the api stack's Dashboard its own.

    python scripts/checks/stacks.py

Reads template.yaml and stacks/*.yaml, and target/transformed/ (run
transform.py first); prints each stack's transformed resource count.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks import cfn  # noqa: E402
from checks.transform import NESTED, OUT_DIR, TEMPLATE, load_template, nested_stacks  # noqa: E402

QUOTA = {"Resources": 500, "Parameters": 200, "Outputs": 200}
PARAMETER_VALUE_BYTES = 4096
LONGEST_NAME = 64
# Berth's own ceiling on resources per stack, below CloudFormation's 500.
RESOURCE_CEILING = 400


def sizes(stacks: dict[str, dict[str, Any]]) -> list[str]:
    """Problems with the transformed stacks' sizes."""
    problems = []
    for name, template in sorted(stacks.items()):
        for section, quota in QUOTA.items():
            count = len(template.get(section, {}))
            if count > quota:
                problems.append(f"{name}: {count} {section.lower()}, over CloudFormation's {quota}")
        resources = len(template.get("Resources", {}))
        if resources >= RESOURCE_CEILING:
            problems.append(
                f"{name}: {resources} resources after the SAM transform, not under {RESOURCE_CEILING}: "
                "move a domain's resources to a stack of their own (docs/deployment.md, Stacks)"
            )
    return problems


def output_reference(value: Any) -> tuple[str, str] | None:
    """(stack, output) of a `Fn::GetAtt <Stack>.Outputs.<Name>`, if it is one."""
    if isinstance(value, dict) and set(value) == {"Fn::GetAtt"}:
        target = value["Fn::GetAtt"]
        stack, attribute = target.split(".", 1) if isinstance(target, str) else target
        if isinstance(attribute, str) and attribute.startswith("Outputs."):
            return stack, attribute.removeprefix("Outputs.")
    return None


def output_references(value: Any):
    """Every `Fn::GetAtt <Stack>.Outputs.<Name>` in a value, however deep."""
    found = output_reference(value)
    if found:
        yield found
    elif isinstance(value, dict):
        for item in value.values():
            yield from output_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from output_references(item)


def passed_as_is(name: str, value: Any) -> bool:
    """`!Ref name`, or a list parameter joined back into its string."""
    if value == {"Ref": name}:
        return True
    return isinstance(value, dict) and value.get("Fn::Join", [None, None])[1] == {"Ref": name}


def wiring(root: dict[str, Any], nested: dict[str, dict[str, Any]]) -> list[str]:
    """Problems with how the root wires its nested stacks (`nested`: logical
    id → the nested template, untransformed)."""
    problems = []
    root_parameters = root.get("Parameters", {})
    for logical_id, resource in root.get("Resources", {}).items():
        if resource.get("Type") != NESTED:
            continue
        declared = nested[logical_id].get("Parameters", {})
        given = resource.get("Properties", {}).get("Parameters", {})
        for name, parameter in declared.items():
            if name not in given and "Default" not in parameter:
                problems.append(f"{logical_id}: parameter {name} is not given")
        for name, value in given.items():
            if name not in declared:
                problems.append(f"{logical_id}: parameter {name} is given but not declared by its template")
            elif name in root_parameters and not passed_as_is(name, value):
                problems.append(f"{logical_id}: parameter {name} is the root's, but not passed on as is")
    for where, value in [("Resources", root.get("Resources", {})), ("Outputs", root.get("Outputs", {}))]:
        for stack, output in output_references(value):
            outputs = nested.get(stack, {}).get("Outputs") if stack in nested else None
            if outputs is None:
                problems.append(f"{where}: {stack}.Outputs.{output} names no nested stack")
            elif output not in outputs:
                problems.append(f"{where}: {stack} has no output {output}")
            elif "Condition" in outputs[output]:
                problems.append(f"{where}: {stack}.Outputs.{output} has a Condition, so it may not exist when read")
    return problems


def longest(value: Any) -> int:
    """An upper bound of an output value's length once CloudFormation has
    substituted it (a Sub's names at LONGEST_NAME; other values as ARNs)."""
    if isinstance(value, dict) and set(value) == {"Fn::Sub"} and isinstance(value["Fn::Sub"], str):
        return len(cfn.SUB_VARIABLE.sub("x" * LONGEST_NAME, value["Fn::Sub"]))
    return len(value) if isinstance(value, str) else 2048


def parameter_values(root: dict[str, Any], nested: dict[str, dict[str, Any]]) -> list[str]:
    """Outputs passed as parameters that could exceed a parameter value's 4,096 bytes."""
    problems = []
    for logical_id, resource in root.get("Resources", {}).items():
        for name, value in resource.get("Properties", {}).get("Parameters", {}).items():
            for stack, output in output_references(value):
                given = nested.get(stack, {}).get("Outputs", {}).get(output, {}).get("Value")
                if given is not None and longest(given) > PARAMETER_VALUE_BYTES:
                    problems.append(
                        f"{logical_id}: parameter {name} ({stack}.Outputs.{output}) may be {longest(given)} bytes, "
                        f"over a parameter value's {PARAMETER_VALUE_BYTES}"
                    )
    return problems


def unique_ids(nested: dict[str, dict[str, Any]]) -> list[str]:
    seen: dict[str, str] = {}
    problems = []
    for stack, template in sorted(nested.items()):
        for logical_id in template.get("Resources", {}):
            if logical_id in seen:
                problems.append(f"{logical_id} is in both {seen[logical_id]} and {stack}")
            seen.setdefault(logical_id, stack)
    return problems


def off_the_dashboard(nested: dict[str, dict[str, Any]]) -> list[str]:
    """Functions a stack's dashboard fragments (or the Dashboard itself) leave out."""
    problems = []
    for stack, template in sorted(nested.items()):
        resources = template.get("Resources", {})
        functions = [i for i, r in resources.items() if r.get("Type") == "AWS::Serverless::Function"]
        outputs = template.get("Outputs", {})
        shown = [str(outputs.get(o, {}).get("Value")) for o in ("FunctionErrorMetrics", "FunctionDurationMetrics")]
        if "Dashboard" in resources:
            shown = [str(resources["Dashboard"].get("Properties", {}).get("DashboardBody"))] * 2
        for function in functions:
            for kind, text in zip(("errors", "duration"), shown):
                if f'"FunctionName","${{{function}}}"' not in text:
                    problems.append(f"{stack}: {function} is not on the dashboard ({kind})")
    return problems


def main(argv: list[str]) -> int:
    root = load_template(TEMPLATE)
    nested = {logical_id: load_template(path) for logical_id, path in nested_stacks(root, TEMPLATE.parent).items()}
    transformed = cfn.load_stacks([], OUT_DIR)
    for name, template in sorted(transformed.items(), key=lambda item: -len(item[1].get("Resources", {}))):
        print(f"stacks: {name}: {len(template.get('Resources', {}))} resources", file=sys.stderr)
    problems = sizes(transformed) + wiring(root, nested) + parameter_values(root, nested)
    problems += unique_ids(nested) + off_the_dashboard(nested)
    for problem in problems:
        print(f"stacks: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
