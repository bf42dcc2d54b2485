"""stacks.py refuses a stack over its size, and a root that wires its
nested stacks in a way CloudFormation would fail."""

from checks import stacks as stack_checks
from checks.transform import TEMPLATE, load_template, nested_stacks


def of_size(resources: int) -> dict:
    return {"Resources": {f"R{i}": {"Type": "AWS::SNS::Topic"} for i in range(resources)}}


def test_a_stack_at_400_resources_is_refused_and_at_500_twice():
    assert stack_checks.sizes({"small": of_size(399)}) == []
    (problem,) = stack_checks.sizes({"big": of_size(400)})
    assert problem.startswith("big: 400 resources after the SAM transform, not under 400")
    problems = stack_checks.sizes({"huge": of_size(501)})
    assert "huge: 501 resources, over CloudFormation's 500" in problems
    assert len(problems) == 2


ROOT = {
    "Parameters": {"Environment": {"Type": "String"}},
    "Resources": {
        "Shared": {"Type": "AWS::Serverless::Application", "Properties": {"Location": "s.yaml", "Parameters": {}}},
        "Api": {
            "Type": "AWS::Serverless::Application",
            "Properties": {
                "Location": "a.yaml",
                "Parameters": {
                    "Environment": {"Ref": "Environment"},
                    "Topic": {"Fn::GetAtt": ["Shared", "Outputs.Topic"]},
                },
            },
        },
    },
    "Outputs": {"Url": {"Value": {"Fn::GetAtt": ["Api", "Outputs.Url"]}}},
}
NESTED = {
    "Shared": {"Outputs": {"Topic": {"Value": "t"}}},
    "Api": {
        "Parameters": {"Environment": {"Type": "String"}, "Topic": {"Type": "String"}},
        "Outputs": {"Url": {"Value": "u"}},
    },
}


def test_a_well_wired_root_passes():
    assert stack_checks.wiring(ROOT, NESTED) == []


def test_a_parameter_missing_or_unknown_is_refused():
    nested = {**NESTED, "Api": {**NESTED["Api"], "Parameters": {"Environment": {"Type": "String"}, "Bus": {"Type": "String"}}}}
    assert stack_checks.wiring(ROOT, nested) == [
        "Api: parameter Bus is not given",
        "Api: parameter Topic is given but not declared by its template",
    ]


def test_an_output_missing_or_conditional_is_refused():
    nested = {"Shared": {"Outputs": {}}, "Api": {**NESTED["Api"], "Outputs": {"Url": {"Condition": "Edge", "Value": "u"}}}}
    assert stack_checks.wiring(ROOT, nested) == [
        "Resources: Shared has no output Topic",
        "Outputs: Api.Outputs.Url has a Condition, so it may not exist when read",
    ]


def test_a_root_parameter_passed_under_its_name_but_changed_is_refused():
    root = {**ROOT, "Resources": {**ROOT["Resources"]}}
    api = root["Resources"]["Api"]
    root["Resources"]["Api"] = {**api, "Properties": {**api["Properties"], "Parameters": {**api["Properties"]["Parameters"], "Environment": "prod"}}}
    assert stack_checks.wiring(root, NESTED) == ["Api: parameter Environment is the root's, but not passed on as is"]


def test_an_output_too_long_for_a_parameter_is_refused():
    fragment = '["AWS/Lambda","Errors","FunctionName","${Fn}",{"stat":"Sum"}],' * 40
    nested = {**NESTED, "Shared": {"Outputs": {"Topic": {"Value": {"Fn::Sub": fragment}}}}}
    (problem,) = stack_checks.parameter_values(ROOT, nested)
    assert problem.startswith("Api: parameter Topic (Shared.Outputs.Topic) may be 4840 bytes"), problem
    nested["Shared"]["Outputs"]["Topic"]["Value"]["Fn::Sub"] = fragment[: len(fragment) // 2]
    assert stack_checks.parameter_values(ROOT, nested) == []


def test_a_logical_id_in_two_stacks_is_refused():
    two = {"a": {"Resources": {"Table": {}}}, "b": {"Resources": {"Table": {}}}}
    assert stack_checks.unique_ids(two) == ["Table is in both a and b"]


def test_a_function_left_off_the_dashboard_is_found():
    function = {"Type": "AWS::Serverless::Function"}
    errors = '["AWS/Lambda","Errors","FunctionName","${Fn}",{"stat":"Sum"}]'
    nested = {"Catalogue": {"Resources": {"Fn": function}, "Outputs": {"FunctionErrorMetrics": {"Value": {"Fn::Sub": errors}}}}}
    assert stack_checks.off_the_dashboard(nested) == ["Catalogue: Fn is not on the dashboard (duration)"]


def test_the_repository_stacks_pass(stacks):
    root = load_template(TEMPLATE)
    nested = {logical_id: load_template(path) for logical_id, path in nested_stacks(root, TEMPLATE.parent).items()}
    assert stack_checks.sizes(stacks) == []
    assert stack_checks.wiring(root, nested) == []
    assert stack_checks.unique_ids(nested) == []
    assert stack_checks.off_the_dashboard(nested) == []
    assert stack_checks.parameter_values(root, nested) == []
    assert set(stacks) == {"template", "shared", "catalogue", "bookings", "calendar", "ledger", "events", "api"}


def test_the_root_keeps_every_output_the_scripts_read():
    """scripts/smoke.sh, scripts/publish-web.sh, the deploy job and
    deploy/k8s/render.py read the root stack's outputs by name: the split
    keeps them there."""
    import re

    from checks.transform import ROOT

    readers = [*ROOT.glob("scripts/*.sh"), *ROOT.glob(".github/workflows/*.yml")]
    read = {name for path in readers for name in re.findall(r"\$\(output (\w+)\)", path.read_text())}
    render = (ROOT / "deploy" / "k8s" / "render.py").read_text()
    read |= set(re.findall(r'"\w+": "(\w+)",', render[render.index("FROM_OUTPUTS") :]))
    assert {"ApiUrl", "ApiId", "EdgeUrl", "WebBucketName", "UserPoolClientId", "SearchSnapshotBucketName"} <= read
    outputs = load_template(TEMPLATE)["Outputs"]
    assert read - set(outputs) == set()
