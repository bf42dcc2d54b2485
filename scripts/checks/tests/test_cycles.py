"""cycles.py finds what CloudFormation would reject, and only that."""

from checks import cycles
from checks.cfn import references


def alias_with_canary(function: str) -> dict:
    """What the SAM transform makes of AutoPublishAlias + DeploymentPreference."""
    return {
        "Type": "AWS::Lambda::Alias",
        "Properties": {"FunctionName": {"Ref": function}, "Name": "live"},
        "UpdatePolicy": {
            "CodeDeployLambdaAliasUpdate": {
                "ApplicationName": {"Ref": "App"},
                "DeploymentGroupName": {"Ref": f"{function}DeploymentGroup"},
            }
        },
    }


def canary_template(alarm_dimension: object) -> dict:
    """A function behind an API, its canary gated on an alarm whose dimension is `alarm_dimension`."""
    return {
        "Resources": {
            "App": {"Type": "AWS::CodeDeploy::Application"},
            "Fn": {"Type": "AWS::Lambda::Function", "Properties": {}},
            "FnAliaslive": alias_with_canary("Fn"),
            "FnDeploymentGroup": {
                "Type": "AWS::CodeDeploy::DeploymentGroup",
                "Properties": {
                    "ApplicationName": {"Ref": "App"},
                    "AlarmConfiguration": {"Alarms": [{"Name": {"Ref": "Alarm"}}]},
                },
            },
            "Api": {
                "Type": "AWS::ApiGatewayV2::Api",
                "Properties": {
                    "Body": {
                        "paths": {
                            "/x": {
                                "get": {
                                    "x-amazon-apigateway-integration": {
                                        "uri": {
                                            "Fn::Sub": "arn:aws:apigateway:${AWS::Region}:lambda:path/functions/${FnAliaslive}/invocations"
                                        }
                                    }
                                }
                            }
                        }
                    }
                },
            },
            "Alarm": {
                "Type": "AWS::CloudWatch::Alarm",
                "Properties": {"Dimensions": [{"Name": "X", "Value": alarm_dimension}]},
            },
        }
    }


def test_a_canary_alarm_on_the_api_closes_a_cycle_through_the_update_policy():
    problems = cycles.check(canary_template({"Ref": "Api"}))
    assert len(problems) == 1
    assert "FnAliaslive.UpdatePolicy.CodeDeployLambdaAliasUpdate.DeploymentGroupName" in problems[0]
    for step in ["Alarm -> Api", "Api -> FnAliaslive", "FnAliaslive -> FnDeploymentGroup", "FnDeploymentGroup -> Alarm"]:
        assert step in problems[0], problems[0]


def test_an_alarm_on_the_function_and_its_alias_name_is_no_cycle():
    assert cycles.check(canary_template({"Fn::Sub": "${Fn}:live"})) == []


def test_sub_attributes_and_depends_on_count():
    template = canary_template("constant")
    template["Resources"]["Alarm"]["Properties"]["AlarmDescription"] = {"Fn::Sub": "${Api.ApiEndpoint} fails"}
    assert cycles.check(template) != []
    template = canary_template("constant")
    template["Resources"]["Alarm"]["DependsOn"] = ["Api"]
    assert "(DependsOn)" in cycles.check(template)[0]


def test_sub_escapes_and_its_own_variables_are_no_references():
    found = {name for name, _ in references({"Fn::Sub": ["${!Api} ${Local} ${AWS::Region}", {"Local": {"Ref": "Fn"}}]})}
    assert found == {"AWS::Region", "Fn"}


def test_the_transformed_template_has_no_cycle(transformed):
    assert cycles.check(transformed) == []


# Web sign-in (template.yaml, UserPoolDomain): the app client's callback URL
# must name where CloudFront serves the app. Built from the WebDomainName
# parameter it is no cycle; built from the distribution it would be one.

SIGN_IN = {"EnableEdge": "true", "WebDomainName": "app.berth.example", "WebCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x"}


def with_sign_in(edit=None) -> dict:
    from checks import transform

    region, parameters = transform.deploy_parameters("prod", transform.ROOT / "samconfig.toml")
    template = transform.load_template(transform.ROOT / "template.yaml")
    if edit:
        edit(template)
    return transform.transform(template, {**parameters, **SIGN_IN}, region)


def test_web_sign_in_from_a_parameter_is_no_cycle():
    transformed = with_sign_in()
    client = transformed["Resources"]["UserPoolClient"]["Properties"]
    # Conditions stay unevaluated: the HostedSignIn branch is what deploys.
    assert client["AllowedOAuthFlows"]["Fn::If"][:2] == ["HostedSignIn", ["code"]]
    assert client["GenerateSecret"] is False, "a public client: PKCE, no secret"
    assert "UserPoolDomain" in transformed["Resources"]
    assert cycles.check(transformed) == []


def test_a_callback_built_from_the_distribution_closes_a_cycle():
    def callback_on_the_distribution(template):
        client = template["Resources"]["UserPoolClient"]["Properties"]
        client["CallbackURLs"] = [{"Fn::Sub": "https://${EdgeDistribution.DomainName}/auth/callback"}]

    problems = cycles.check(with_sign_in(callback_on_the_distribution))
    assert len(problems) == 1, problems
    for name in ["UserPoolClient", "EdgeDistribution", "BerthApi"]:
        assert name in problems[0], problems[0]
