"""Every route of openapi.json that AWS serves is in the HTTP API's definition body.

SAM owns an AWS::Serverless::HttpApi's OpenAPI body: it writes one path per
function route (the functions' HttpApi events) into the DefinitionBody it
is given, and CloudFormation imports that body on every deploy (AWS SAM
Developer Guide, "AWS::Serverless::HttpApi", DefinitionBody; "HttpApi"
event source). A route or integration made beside it
(AWS::ApiGatewayV2::Route, AWS::ApiGatewayV2::Integration on the same API)
is not in the body, and a later import drops it. A private integration is
written in the body as x-amazon-apigateway-integration with connectionType
VPC_LINK and the link's connectionId (API Gateway Developer Guide, "Set up
API with private integrations using OpenAPI").

A route whose integration invokes a Lambda function (aws_proxy) works only
if the function's resource policy lets API Gateway invoke it from that
route: an AWS::Lambda::Permission, principal apigateway.amazonaws.com,
on the function (here its `live` alias, which the route names), with a
SourceArn of the API's execute-api ARN for the route's method and path
(what SAM makes for an HttpApi event; Lambda Developer Guide, "Using
resource-based policies in Lambda", API Gateway; API Gateway Developer
Guide, "Control access to an HTTP API with IAM": execute-api ARNs). A route
without one answers 500.

Routes marked `x-berth-local-only` in openapi.json (the local platform's
token endpoint, the document itself) are not deployed. A route in the body
under an Fn::If counts as present (it is deployed when its condition holds).

    python scripts/checks/routes.py [target/transformed/<stack>.json ...]

Runs on every stack transform.py wrote unless given some: exactly one of
them (the api stack) holds the HTTP API, and none holds a route or
integration beside it. A route's integration in another stack's function
is a parameter of the API's stack (the alias ARN), so a stack split does
not change what this check reads.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from checks import cfn  # noqa: E402
from checks.transform import OUT_DIR, ROOT  # noqa: E402

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
OPENAPI = ROOT / "openapi.json"


def documented_routes(openapi: dict[str, Any]) -> set[tuple[str, str]]:
    """(METHOD, path) of every route openapi.json documents that AWS serves."""
    return {
        (method.upper(), path)
        for path, item in openapi.get("paths", {}).items()
        for method, operation in item.items()
        if method in METHODS and not operation.get("x-berth-local-only", False)
    }


def branches(value: Any) -> list[Any]:
    """The values an Fn::If may take (AWS::NoValue dropped), or the value itself."""
    if isinstance(value, dict) and set(value) == {"Fn::If"}:
        return [v for branch in value["Fn::If"][1:] for v in branches(branch)]
    if value == {"Ref": "AWS::NoValue"}:
        return []
    return [value]


def body_routes(body: dict[str, Any]) -> dict[tuple[str, str], list[dict[str, Any]]]:
    """(METHOD, path) → the operation's possible definitions, from an OpenAPI body."""
    routes: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for path, item in body.get("paths", {}).items():
        for path_item in branches(item):
            for method, operation in path_item.items():
                if method.lower() not in METHODS and method != "x-amazon-apigateway-any-method":
                    continue
                found = [o for o in branches(operation) if isinstance(o, dict)]
                if found:
                    routes.setdefault((method.upper(), path), []).extend(found)
    return routes


def http_apis(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: api
        for logical_id, api in cfn.resources_of_type(template, "AWS::ApiGatewayV2::Api").items()
        if api.get("Properties", {}).get("ProtocolType", "HTTP") == "HTTP"
    }


def check(template: dict[str, Any], openapi: dict[str, Any]) -> list[str]:
    problems = []
    apis = http_apis(template)
    if len(apis) != 1:
        return [f"expected one HTTP API, found {sorted(apis) or 'none'}"]
    (api_id, api), = apis.items()
    body = api.get("Properties", {}).get("Body")
    if not isinstance(body, dict):
        return [f"{api_id} has no inline definition body (Body)"]
    routes = body_routes(body)
    for method, path in sorted(documented_routes(openapi) - set(routes)):
        problems.append(f"{method} {path} is documented in openapi.json but not in {api_id}'s definition body")
    for (method, path), operations in sorted(routes.items()):
        if not any("x-amazon-apigateway-integration" in o for o in operations):
            problems.append(f"{method} {path} has no x-amazon-apigateway-integration in {api_id}'s body")
        if (method, path) not in documented_routes(openapi):
            problems.append(f"{method} {path} is in {api_id}'s body but not documented in openapi.json")
    problems.extend(routes_beside(template, api_id))
    problems.extend(ungranted(template, api_id, routes))
    return problems


def granted(template: dict[str, Any], api_id: str) -> set[tuple[str, str, str]]:
    """(function, METHOD, path with `*` for parameters) API Gateway may invoke
    from this API, by the permissions in the template."""
    found = set()
    for permission in cfn.resources_of_type(template, "AWS::Lambda::Permission").values():
        properties = permission.get("Properties", {})
        if properties.get("Principal") != "apigateway.amazonaws.com":
            continue
        source = properties.get("SourceArn", {})
        text = source.get("Fn::Sub") if isinstance(source, dict) else None
        text = text[0] if isinstance(text, list) else text
        match = re.search(r"\$\{(\w+)\}/\*/([A-Z]+)(/\S*)$", text or "")
        if match is None or match.group(1) != api_id:
            continue
        for function, _ in cfn.references(properties.get("FunctionName")):
            found.add((function, match.group(2), match.group(3)))
    return found


def ungranted(template: dict[str, Any], api_id: str, routes) -> list[str]:
    """Function routes no permission lets API Gateway invoke."""
    problems = []
    allowed = granted(template, api_id)
    for (method, path), operations in sorted(routes.items()):
        for operation in operations:
            integration = operation.get("x-amazon-apigateway-integration", {})
            if integration.get("type") != "aws_proxy":
                continue
            functions = {n for n, _ in cfn.references(integration.get("uri")) if not n.startswith("AWS::")}
            source_path = re.sub(r"\{[^}]+\}", "*", path)
            for function in sorted(functions):
                if (function, method, source_path) not in allowed:
                    problems.append(
                        f"{method} {path} invokes {function}, and no permission lets {api_id} invoke it there"
                    )
    return problems


def routes_beside(template: dict[str, Any], api_id: str) -> list[str]:
    problems = []
    for kind in ("AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration"):
        for logical_id, resource in cfn.resources_of_type(template, kind).items():
            named = {name for name, _ in cfn.references(resource.get("Properties", {}).get("ApiId"))}
            if api_id in named:
                problems.append(
                    f"{logical_id} ({kind}) is made beside {api_id}'s body, which SAM re-imports on "
                    "every deploy: put it in the DefinitionBody"
                )
    return problems


def check_stacks(stacks: dict[str, dict[str, Any]], openapi: dict[str, Any]) -> list[str]:
    """The check on the one stack that holds the HTTP API; any stack's
    route or integration made beside an API is refused too."""
    holding = [name for name, template in stacks.items() if http_apis(template)]
    if len(holding) != 1:
        return [f"expected one stack with an HTTP API, found {holding or 'none'}"]
    (name,) = holding
    problems = [f"{name}: {p}" for p in check(stacks[name], openapi)]
    for other, template in stacks.items():
        for kind in ("AWS::ApiGatewayV2::Route", "AWS::ApiGatewayV2::Integration"):
            for logical_id in cfn.resources_of_type(template, kind):
                if other != name:
                    problems.append(f"{other}: {logical_id} ({kind}) is made outside the API's definition body")
    return problems


def main(argv: list[str]) -> int:
    stacks = cfn.load_stacks([Path(a) for a in argv[1:]], OUT_DIR)
    problems = check_stacks(stacks, json.loads(OPENAPI.read_text()))
    for problem in problems:
        print(f"routes: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
