"""workflow.py refuses Lambda tasks that would fail a booking on one slow
call, retry a business error, or never see States.Timeout."""

import pytest

from checks import workflow
from checks.transform import ROOT

BUSINESS = {"NightsUnavailable", "PaymentDeclined"}
GOOD_RETRY = ["Retryable", "States.Timeout", *workflow.LAMBDA_TRANSIENT]


def template(state: dict, function_timeout: int = 12) -> dict:
    """A state machine with one Task on a function's live alias, defined inline."""
    return {
        "Resources": {
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"Timeout": function_timeout}},
            "FnVersion": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}},
            "FnAliaslive": {
                "Type": "AWS::Lambda::Alias",
                "Properties": {"FunctionName": {"Ref": "Fn"}, "FunctionVersion": {"Fn::GetAtt": ["FnVersion", "Version"]}},
            },
            "Machine": {
                "Type": "AWS::StepFunctions::StateMachine",
                "Properties": {
                    "Definition": {"StartAt": "Step", "States": {"Step": state}},
                    "DefinitionSubstitutions": {"FnArn": {"Ref": "FnAliaslive"}},
                },
            },
        }
    }


def task(retry: list[str], timeout: int | None = 10) -> dict:
    state = {"Type": "Task", "Resource": "${FnArn}", "End": True, "Retry": [{"ErrorEquals": retry}]}
    if timeout is not None:
        state["TimeoutSeconds"] = timeout
    return state


def test_a_well_formed_task_passes():
    assert workflow.check(template(task(GOOD_RETRY)), BUSINESS) == []


def test_a_task_without_lambda_unknown_fails_one_booking_per_crash():
    retry = [e for e in GOOD_RETRY if e not in ("Lambda.Unknown", "Lambda.ClientExecutionTimeoutException")]
    (problem,) = workflow.check(template(task(retry)), BUSINESS)
    assert "Lambda.ClientExecutionTimeoutException, Lambda.Unknown" in problem


@pytest.mark.parametrize("wrong", ["States.ALL", "States.TaskFailed", "NightsUnavailable"])
def test_retrying_a_business_error_is_refused(wrong):
    (problem,) = workflow.check(template(task([*GOOD_RETRY, wrong])), BUSINESS)
    assert f"retries business errors ({wrong})" in problem


def test_a_state_timeout_not_below_the_function_timeout_never_fires():
    (problem,) = workflow.check(template(task(GOOD_RETRY, timeout=15), function_timeout=14), BUSINESS)
    assert "TimeoutSeconds 15 is not below its function's Timeout 14" in problem
    (problem,) = workflow.check(template(task(GOOD_RETRY, timeout=None)), BUSINESS)
    assert "no TimeoutSeconds" in problem


def test_nested_states_are_checked():
    parallel = {
        "Type": "Parallel",
        "End": True,
        "Branches": [{"StartAt": "Inner", "States": {"Inner": task(["States.ALL"])}}],
    }
    problems = workflow.check(template(parallel), BUSINESS)
    assert any(p.startswith("Machine.Step/Inner:") for p in problems), problems


def test_business_errors_are_read_from_the_domain():
    business = workflow.business_errors(workflow.SAGA.read_text())
    assert {"NightsUnavailable", "PaymentDeclined", "PaymentRejected", "HoldExpired", "InvalidStay"} <= business
    assert not business & {"Retryable", "PaymentUnavailable"}


def test_the_deployed_workflow_passes(stacks):
    business = workflow.business_errors(workflow.SAGA.read_text())
    machines = [name for name, template in stacks.items() if template["Resources"] and any(
        r["Type"] == "AWS::StepFunctions::StateMachine" for r in template["Resources"].values())]
    assert machines == ["bookings"], "the workflow and its task functions live in one stack"
    for name, template in stacks.items():
        assert workflow.check(template, business) == [], name
    assert (ROOT / "statemachines" / "booking.asl.json").is_file()
