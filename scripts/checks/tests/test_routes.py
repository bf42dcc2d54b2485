"""routes.py refuses a deployed API that lacks a documented route, or has
one made beside the body SAM re-imports."""

from checks import routes

OPENAPI = {
    "paths": {
        "/health": {"get": {}},
        "/search": {"get": {}},
        "/local/token": {"post": {"x-berth-local-only": True}},
    }
}
LAMBDA = {"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": "arn"}}
VPC_LINK = {"x-amazon-apigateway-integration": {"type": "http_proxy", "connectionType": "VPC_LINK", "connectionId": {"Ref": "Link"}}}


def template(paths: dict, extra: dict | None = None) -> dict:
    resources = {"Api": {"Type": "AWS::ApiGatewayV2::Api", "Properties": {"Body": {"paths": paths}}}}
    resources.update(extra or {})
    return {"Resources": resources}


def test_every_deployed_route_in_the_body_passes():
    search = {"get": {"Fn::If": ["SearchEnabled", VPC_LINK, {"Ref": "AWS::NoValue"}]}}
    assert routes.check(template({"/health": {"get": LAMBDA}, "/search": search}), OPENAPI) == []


def test_search_as_a_route_beside_the_body_is_refused():
    beside = {
        "SearchRoute": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {"ApiId": {"Ref": "Api"}, "RouteKey": "GET /search"}},
        "SearchIntegration": {"Type": "AWS::ApiGatewayV2::Integration", "Properties": {"ApiId": {"Ref": "Api"}}},
    }
    problems = routes.check(template({"/health": {"get": LAMBDA}}, beside), OPENAPI)
    assert "GET /search is documented in openapi.json but not in Api's definition body" in problems
    assert any(p.startswith("SearchRoute (AWS::ApiGatewayV2::Route)") for p in problems)
    assert any(p.startswith("SearchIntegration (AWS::ApiGatewayV2::Integration)") for p in problems)


def test_a_route_without_integration_or_documentation_is_refused():
    problems = routes.check(template({"/health": {"get": {}}, "/search": {"get": VPC_LINK}, "/x": {"get": LAMBDA}}), OPENAPI)
    assert "GET /health has no x-amazon-apigateway-integration in Api's body" in problems
    assert "GET /x is in Api's body but not documented in openapi.json" in problems


def proxy(function: str) -> dict:
    uri = "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/arn:aws:lambda:r:a:function:${%s}:live/invocations"
    return {"x-amazon-apigateway-integration": {"type": "aws_proxy", "uri": {"Fn::Sub": uri % function}}}


def permission(function: str, route: str) -> dict:
    return {
        "Type": "AWS::Lambda::Permission",
        "Properties": {
            "Principal": "apigateway.amazonaws.com",
            "FunctionName": {"Fn::Sub": "${%s}:live" % function},
            "SourceArn": {"Fn::Sub": "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}/*/" + route},
        },
    }


def test_a_function_route_without_its_permission_is_refused():
    paths = {"/health": {"get": proxy("Health")}, "/search": {"get": VPC_LINK}}
    assert routes.check(template(paths, {"P": permission("Health", "GET/health")}), OPENAPI) == []
    for wrong in ["POST/health", "GET/other"]:
        assert routes.check(template(paths, {"P": permission("Health", wrong)}), OPENAPI) == [
            "GET /health invokes Health, and no permission lets Api invoke it there"
        ]
    with_path = {"/properties/{id}": {"get": proxy("Get")}}
    assert routes.ungranted(template(with_path, {"P": permission("Get", "GET/properties/*")}), "Api", routes.body_routes({"paths": with_path})) == []


def test_a_route_made_in_another_stack_is_refused():
    api = template({"/health": {"get": LAMBDA}, "/search": {"get": VPC_LINK}})
    other = {"Resources": {"SearchRoute": {"Type": "AWS::ApiGatewayV2::Route", "Properties": {"ApiId": "abc123"}}}}
    assert routes.check_stacks({"api": api, "events": other}, OPENAPI) == [
        "events: SearchRoute (AWS::ApiGatewayV2::Route) is made outside the API's definition body"
    ]
    assert routes.check_stacks({"a": api, "b": api}, OPENAPI) == ["expected one stack with an HTTP API, found ['a', 'b']"]


def test_the_deployed_api_passes(stacks):
    import json

    assert routes.check_stacks(stacks, json.loads(routes.OPENAPI.read_text())) == []
