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


def nested(stack: str, **parameters: str) -> dict:
    """A nested stack as the root's transform makes it, given other stacks' outputs."""
    return {
        "Type": "AWS::CloudFormation::Stack",
        "Properties": {
            "TemplateURL": f"https://s3.amazonaws.com/b/{stack}.yaml",
            "Parameters": {name: {"Fn::GetAtt": [source, f"Outputs.{name}"]} for name, source in parameters.items()},
        },
    }


def test_stacks_that_take_each_others_outputs_are_a_cycle():
    root = {"Resources": {"Shared": nested("shared"), "Api": nested("api", Fn="Catalogue"), "Catalogue": nested("catalogue", Api="Api")}}
    (problem,) = cycles.check(root)
    assert "Api -> Catalogue  (by Api.Properties.Parameters.Fn)" in problem, problem
    assert "Catalogue -> Api  (by Catalogue.Properties.Parameters.Api)" in problem, problem
    root["Resources"]["Catalogue"] = nested("catalogue", Table="Shared")
    assert cycles.check(root) == []


def test_no_stack_has_a_cycle_nor_the_stacks_between_them(stacks):
    assert {name: cycles.check(template) for name, template in stacks.items()} == dict.fromkeys(stacks, [])


# Web sign-in (stacks/shared.yaml, UserPoolDomain): the app client's callback
# URL must name where CloudFront serves the app. Built from the WebDomainName
# parameter it is no cycle; built from the distribution (the api stack's,
# which comes after the shared stack) it would be one between the stacks.

SIGN_IN = {"EnableEdge": "true", "WebDomainName": "app.berth.example", "WebCertificateArn": "arn:aws:acm:us-east-1:123456789012:certificate/x"}


def test_web_sign_in_from_a_parameter_is_no_cycle():
    from checks import transform

    stacks = transform.transform_all("prod", SIGN_IN)
    client = stacks["shared"]["Resources"]["UserPoolClient"]["Properties"]
    # Conditions stay unevaluated: the HostedSignIn branch is what deploys.
    assert client["AllowedOAuthFlows"]["Fn::If"][:2] == ["HostedSignIn", ["code"]]
    assert client["GenerateSecret"] is False, "a public client: PKCE, no secret"
    assert "UserPoolDomain" in stacks["shared"]["Resources"]
    assert {name: cycles.check(template) for name, template in stacks.items()} == dict.fromkeys(stacks, [])


def test_a_callback_built_from_the_distribution_closes_a_cycle(stacks):
    """The shared stack given the api stack's EdgeUrl (for the callback)."""
    import copy

    root = copy.deepcopy(stacks["template"])
    root["Resources"]["Shared"]["Properties"]["Parameters"]["EdgeUrl"] = {"Fn::GetAtt": ["Api", "Outputs.EdgeUrl"]}
    problems = cycles.check(root)
    assert len(problems) == 1, problems
    for name in ["Shared", "Api"]:
        assert name in problems[0], problems[0]
