"""Every Lambda Task of every state machine retries what is transient, never
a business error, and can time out before its function does.

The rules, from AWS's documents:
- Step Functions reports Lambda's transient service errors as
  Lambda.ServiceException, Lambda.AWSLambdaException,
  Lambda.SdkClientException and Lambda.ClientExecutionTimeoutException,
  throttling as Lambda.TooManyRequestsException, and a function's unhandled
  errors, out-of-memory errors and timeouts as Lambda.Unknown (AWS Step
  Functions Developer Guide, "Handle Lambda service exceptions"). A Task's
  Retry must name each of them, or a single slow or crashed call fails the
  workflow.
- Retriers match error names; States.ALL and States.TaskFailed match every
  task error (Step Functions Developer Guide, "Handling errors in Step
  Functions workflows": error names, Retry). Business errors (the names
  `StepError::is_business` gives in shared/domain/src/reservations/saga.rs)
  must not be retried: those wildcards are refused in a Retry, and so is any
  business error by name.
- A state's TimeoutSeconds yields States.Timeout only if the state times
  out before the function does; when the function's Timeout (Lambda
  Developer Guide, "Configure Lambda function timeout") is the shorter, the
  error is Lambda.Unknown instead. So each Task has TimeoutSeconds, below
  the Timeout of the function its Resource names (through the state
  machine's DefinitionSubstitutions, in the transformed template), and
  retries States.Timeout.

    python scripts/checks/workflow.py [target/transformed/<stack>.json ...]

Runs on every stack transform.py wrote unless given some: a state machine
and its task functions live in one stack (a task in another stack would
be a function this check cannot see, and is reported as such).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks import cfn  # noqa: E402
from checks.transform import OUT_DIR, ROOT, local_path_of  # noqa: E402

LAMBDA_TRANSIENT = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.Unknown",
)
WILDCARDS = ("States.ALL", "States.TaskFailed")
SAGA = ROOT / "shared" / "domain" / "src" / "reservations" / "saga.rs"


def business_errors(saga_source: str) -> set[str]:
    """The task error names `StepError::is_business` calls business errors."""
    names = dict(re.findall(r"StepError::(\w+)(?:\([^)]*\))?\s*=>\s*\"(\w+)\"", saga_source))
    body = re.search(r"fn is_business\(&self\) -> bool \{(.*?)\n    \}", saga_source, re.S)
    if not names or body is None:
        raise ValueError(f"{SAGA}: no StepError::name or StepError::is_business to read")
    return {names[variant] for variant in re.findall(r"StepError::(\w+)", body.group(1))}


def states(definition: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every state, nested ones (Parallel branches, Map processors) included."""
    for name, state in definition.get("States", {}).items():
        yield prefix + name, state
        for branch in state.get("Branches", []):
            yield from states(branch, f"{prefix}{name}/")
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                yield from states(state[key], f"{prefix}{name}/")


def function_timeout(template: dict[str, Any], value: Any) -> tuple[str, int] | None:
    """The Lambda function a substitution names (function, version or alias,
    by Ref or Fn::GetAtt) and its Timeout (3 s when unset, Lambda's default)."""
    resources = template.get("Resources", {})
    seen: set[str] = set()
    targets = [name for name, _ in cfn.references(value) if name in resources]
    while targets:
        logical_id = targets.pop()
        if logical_id in seen:
            continue
        seen.add(logical_id)
        resource = resources[logical_id]
        if resource["Type"] == "AWS::Lambda::Function":
            return logical_id, int(resource.get("Properties", {}).get("Timeout", 3))
        if resource["Type"] in ("AWS::Lambda::Alias", "AWS::Lambda::Version"):
            named = resource.get("Properties", {}).get("FunctionName")
            targets.extend(name for name, _ in cfn.references(named) if name in resources)
    return None


def check_task(name: str, state: dict[str, Any], timeout: int | None, business: set[str]) -> list[str]:
    problems = []
    retried = [error for retrier in state.get("Retry", []) for error in retrier.get("ErrorEquals", [])]
    missing = [error for error in (*LAMBDA_TRANSIENT, "States.Timeout") if error not in retried]
    if missing:
        problems.append(f"{name}: Retry does not cover {', '.join(missing)}")
    wrong = sorted({e for e in retried if e in WILDCARDS or e in business})
    if wrong:
        problems.append(f"{name}: Retry retries business errors ({', '.join(wrong)})")
    state_timeout = state.get("TimeoutSeconds")
    if state_timeout is None:
        problems.append(f"{name}: no TimeoutSeconds, so States.Timeout never fires")
    elif timeout is not None and not state_timeout < timeout:
        problems.append(
            f"{name}: TimeoutSeconds {state_timeout} is not below its function's Timeout {timeout}, "
            "so the function times out first (Lambda.Unknown) and States.Timeout never fires"
        )
    return problems


def lambda_target(template: dict[str, Any], state: dict[str, Any], substitutions: dict[str, Any]):
    """(is a Lambda task, (function, Timeout) if known) of a Task state."""
    resource = state.get("Resource", "")
    if resource.startswith("arn:aws:states:::lambda:invoke"):
        named = state.get("Parameters", {}).get("FunctionName", "")
        match = re.fullmatch(r"\$\{(\w+)\}", named) if isinstance(named, str) else None
        return True, function_timeout(template, substitutions[match.group(1)]) if match else None
    match = re.fullmatch(r"\$\{(\w+)\}", resource)
    if match and match.group(1) in substitutions:
        found = function_timeout(template, substitutions[match.group(1)])
        return found is not None, found
    return ":lambda:" in resource, None


def definition_of(machine: dict[str, Any]) -> dict[str, Any]:
    properties = machine.get("Properties", {})
    if "Definition" in properties:
        return properties["Definition"]
    if isinstance(properties.get("DefinitionString"), str):
        return json.loads(properties["DefinitionString"])
    location = properties.get("DefinitionS3Location", {})
    path = local_path_of(location.get("Bucket"), location.get("Key"))
    if path is None:
        raise ValueError(f"a definition this check cannot read: {location}")
    return json.loads(path.read_text())


def check(template: dict[str, Any], business: set[str]) -> list[str]:
    problems = []
    machines = cfn.resources_of_type(template, "AWS::StepFunctions::StateMachine")
    for machine_id, machine in machines.items():
        substitutions = machine.get("Properties", {}).get("DefinitionSubstitutions", {})
        for name, state in states(definition_of(machine)):
            if state.get("Type") != "Task":
                continue
            is_lambda, target = lambda_target(template, state, substitutions)
            if not is_lambda:
                continue
            if target is None:
                problems.append(f"{machine_id}.{name}: cannot tell which function it invokes")
            timeout = target[1] if target else None
            problems.extend(f"{machine_id}.{p}" for p in check_task(name, state, timeout, business))
    return problems


def main(argv: list[str]) -> int:
    business = business_errors(SAGA.read_text())
    failed = False
    for name, template in cfn.load_stacks([Path(a) for a in argv[1:]], OUT_DIR).items():
        for problem in check(template, business):
            print(f"workflow: {name}: {problem}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
