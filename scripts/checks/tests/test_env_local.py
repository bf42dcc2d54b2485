"""env.local.json (`sam local invoke|start-api --env-vars env.local.json`)
covers every function of the template: `sam local` passes a function only
the variables its template declares, with the file's values, so a function
or variable missing from the file would run against a name that does not
exist locally. Every value stays on this machine."""

import json
import re

from checks.transform import ROOT

ENV_LOCAL = ROOT / "env.local.json"
SHARED = "Parameters"  # sam local applies this entry to every function


def functions_and_variables(template: dict) -> dict[str, set[str]]:
    return {
        logical_id: set(resource["Properties"].get("Environment", {}).get("Variables", {}))
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Lambda::Function"
    }


def uncovered(template: dict, env_local: dict) -> list[str]:
    problems = []
    shared = set(env_local.get(SHARED, {}))
    declared = functions_and_variables(template)
    for function, variables in sorted(declared.items()):
        if function not in env_local:
            problems.append(f"{function} has no entry")
            continue
        missing = variables - shared - set(env_local[function])
        if missing:
            problems.append(f"{function} lacks {sorted(missing)}")
    for function in sorted(set(env_local) - set(declared) - {SHARED}):
        problems.append(f"{function} is no function of the template")
    return problems


def test_a_function_or_variable_left_out_is_found():
    template = {
        "Resources": {
            "A": {"Type": "AWS::Lambda::Function", "Properties": {"Environment": {"Variables": {"X": "", "Y": ""}}}},
            "B": {"Type": "AWS::Lambda::Function", "Properties": {}},
        }
    }
    assert uncovered(template, {SHARED: {"Y": "1"}, "A": {}, "Gone": {}}) == [
        "A lacks ['X']",
        "B has no entry",
        "Gone is no function of the template",
    ]


def test_env_local_covers_every_function_and_variable(transformed):
    # `transformed`: every nested stack's functions (sam local finds a
    # nested stack's function by its logical id, the key of its entry).
    env_local = json.loads(ENV_LOCAL.read_text())
    assert uncovered(transformed, env_local) == []


def test_env_local_points_only_at_this_machine():
    text = ENV_LOCAL.read_text()
    for url in re.findall(r"https?://[^\"/]+", text):
        assert url.startswith(("http://127.0.0.1:", "http://localhost:")), url
