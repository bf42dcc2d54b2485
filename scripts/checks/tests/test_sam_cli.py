"""What SAM CLI itself makes of the nested stacks, offline: `sam build` and
`sam local invoke` build and run each function from its CodeUri, which SAM
reads relative to the template naming it (stacks/*.yaml say `..`, the
cargo workspace); `sam local start-api` routes a request to the function
whose name it reads out of the integration's Lambda ARN. These use SAM
CLI's own providers (samcli.lib.providers), the code those commands run."""

import pytest
from samcli.lib.providers.api_provider import ApiProvider
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider

from checks import cfn
from checks.transform import ROOT

# samtranslator's validator, which SAM CLI runs, warns of its own deprecations.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def sam_stacks():
    stacks, _ = SamLocalStackProvider.get_stacks(str(ROOT / "template.yaml"))
    return stacks


def test_sam_builds_every_function_of_every_stack_from_the_workspace(transformed, monkeypatch):
    monkeypatch.chdir(ROOT)
    functions = list(SamFunctionProvider(sam_stacks()).get_all())
    deployed = set(cfn.resources_of_type(transformed, "AWS::Lambda::Function"))
    assert {f.name for f in functions} == deployed
    for function in functions:
        assert (ROOT / function.codeuri).resolve() == ROOT, f"{function.full_path}: CodeUri {function.codeuri}"
        assert function.metadata["BuildMethod"] == "rust-cargolambda", function.full_path


def test_sam_local_start_api_routes_each_function_route_to_its_function(stacks, monkeypatch):
    monkeypatch.chdir(ROOT)
    routed = {
        (method, route.path, route.function_name)
        for route in ApiProvider(sam_stacks()).routes
        for method in route.methods
        if method != "OPTIONS"
    }
    body = stacks["api"]["Resources"]["BerthApi"]["Properties"]["Body"]["paths"]
    wanted = {
        (method.upper(), path, name)
        for path, item in body.items()
        for method, operation in item.items()
        if isinstance(operation, dict) and "x-amazon-apigateway-integration" in operation
        for name, _ in cfn.references(operation["x-amazon-apigateway-integration"]["uri"])
        if name.endswith("Function")
    }
    assert len(wanted) >= 17
    assert routed == wanted
