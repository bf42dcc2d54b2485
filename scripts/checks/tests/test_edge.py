"""With the edge on, the API serves only what came through CloudFront (and
so through WAF's rate and size limits), and browsers may call it from the
web client's origin only. An HTTP API takes no resource policy, so the
check is the functions' (functions/src/runtime.rs, EdgeSecret): this test
holds the template to giving each side the same secret."""

import pytest

from checks import cfn, transform

ORIGIN = "https://app.berth.example"


@pytest.fixture(scope="module")
def edge_stacks():
    return transform.transform_all("prod", {"EnableEdge": "true", "WebClientOrigin": ORIGIN})


@pytest.fixture(scope="module")
def with_edge(edge_stacks):
    """The api stack: the API, CloudFront and the web bucket."""
    return edge_stacks["api"]


def secret_of(value) -> set[str]:
    return {name for name, _ in cfn.references(value)}


def test_cloudfront_sends_the_edge_secret_to_the_api(with_edge):
    config = with_edge["Resources"]["EdgeDistribution"]["Properties"]["DistributionConfig"]
    origins = {o["Id"]: o for o in config["Origins"]}
    assert set(origins) == {"api", "web"}
    assert "OriginCustomHeaders" not in origins["web"], "the secret never goes to the web bucket"
    headers = {h["HeaderName"]: h["HeaderValue"] for h in origins["api"].get("OriginCustomHeaders", [])}
    assert "x-berth-edge" in headers
    assert secret_of(headers["x-berth-edge"]) == {"EdgeOriginSecret"}
    assert "{{resolve:secretsmanager:${EdgeOriginSecret}:SecretString:value}}" in str(headers["x-berth-edge"])


def routed_functions(stacks) -> set[str]:
    """The functions the API's routes invoke: the api stack's own, and those
    whose name another stack passes as a parameter named after them."""
    api = stacks["api"]
    routed = set()
    for name, _ in cfn.references(api["Resources"]["BerthApi"]["Properties"]["Body"]):
        own = api["Resources"].get(name, {}).get("Type") == "AWS::Lambda::Function"
        if own or (name in api.get("Parameters", {}) and name.endswith("Function")):
            routed.add(name)
    return routed


def test_every_http_function_expects_that_secret(edge_stacks):
    functions = cfn.merged(edge_stacks)["Resources"]
    routed = routed_functions(edge_stacks)
    assert len(routed) > 10, f"the API routes to functions: {routed}"
    for function in routed:
        variables = functions[function]["Properties"]["Environment"]["Variables"]
        value = variables.get("EDGE_ORIGIN_SECRET")
        assert value is not None, f"{function} does not check the edge secret"
        assert "EdgeOriginSecret" in secret_of(value), f"{function}: {value}"


def test_every_stack_is_given_the_one_edge_secret():
    """Each stack's EdgeOriginSecret parameter is the shared stack's secret."""
    root = transform.load_template(transform.TEMPLATE)
    given = {
        stack: resource["Properties"]["Parameters"].get("EdgeOriginSecret")
        for stack, resource in root["Resources"].items()
    }
    takers = {stack for stack, value in given.items() if value is not None}
    assert {"Catalogue", "Bookings", "Ledger", "Events", "Api"} <= takers
    for stack in takers:
        assert given[stack] == {"Fn::GetAtt": ["Shared", "Outputs.EdgeOriginSecret"]}, stack


def test_clients_are_given_the_edge_url(with_edge):
    url = with_edge["Outputs"]["ApiUrl"]["Value"]
    assert url["Fn::If"][0] == "EdgeEnabled"
    assert "EdgeDistribution" in secret_of(url["Fn::If"][1])


def test_cors_allows_exactly_the_web_client(with_edge):
    cors = with_edge["Resources"]["BerthApi"]["Properties"]["Body"]["x-amazon-apigateway-cors"]
    allowed = cors["Fn::If"][1]
    assert allowed["allowOrigins"] == [ORIGIN]
    assert "authorization" in allowed["allowHeaders"] and "idempotency-key" in allowed["allowHeaders"]
    assert cors["Fn::If"][2] == {"Ref": "AWS::NoValue"}, "no origin, no CORS"
