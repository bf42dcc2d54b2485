"""scripts/publish-web.sh writes the web app's config.json from the stack's
outputs alone: Cognito's hosted UI when the stack has one (SignInDomain),
"sign-in not set up" when it has none. The AWS CLI is played by a script
on PATH that answers the outputs and keeps what would be uploaded; nothing
leaves the machine."""

import json
import os
import stat
import subprocess
from pathlib import Path

from checks.transform import ROOT

FAKE_AWS = r"""#!/usr/bin/env bash
# Plays the AWS CLI for publish-web.sh: outputs from $OUTPUTS (a JSON object),
# `s3 cp <file> s3://…/config.json` copied to $KEPT/config.json.
case "$1 $2" in
  "cloudformation describe-stacks")
    key=$(printf '%s\n' "$@" | sed -n "s/.*OutputKey=='\([A-Za-z]*\)'.*/\1/p")
    python3 -c 'import json,os,sys; print(json.loads(os.environ["OUTPUTS"]).get(sys.argv[1], "None"))' "$key" ;;
  "s3 cp")
    case "$4" in */config.json) cp "$3" "$KEPT/config.json" ;; esac ;;
  "cloudfront list-distributions") echo E2EXAMPLE ;;
esac
exit 0
"""

OUTPUTS = {
    "WebBucketName": "berth-prod-webbucket-1",
    "UserPoolClientId": "4k2p8s1v0rq6tq3e9hn5j7ma2c",
    "EdgeUrl": "https://d111111abcdef8.cloudfront.net",
}


def publish(tmp_path: Path, outputs: dict) -> dict:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    aws = bin_dir / "aws"
    aws.write_text(FAKE_AWS)
    aws.chmod(aws.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "OUTPUTS": json.dumps(outputs), "KEPT": str(tmp_path)}
    subprocess.run([str(ROOT / "scripts/publish-web.sh"), "berth-prod"], check=True, env=env, capture_output=True)
    return json.loads((tmp_path / "config.json").read_text())


def test_the_hosted_ui_comes_from_the_stack(tmp_path):
    config = publish(tmp_path, {**OUTPUTS, "SignInDomain": "berth-prod-123456789012.auth.us-east-1.amazoncognito.com"})
    assert config == {
        "api": "",
        "auth": {
            "kind": "cognito",
            "domain": "berth-prod-123456789012.auth.us-east-1.amazoncognito.com",
            "client_id": "4k2p8s1v0rq6tq3e9hn5j7ma2c",
            "scopes": "openid email",
        },
    }


def test_without_a_hosted_ui_the_app_says_sign_in_is_not_set_up(tmp_path):
    assert publish(tmp_path, OUTPUTS) == {"api": "", "auth": {"kind": "none"}}


def test_the_outputs_it_reads_are_the_templates(stacks):
    # The root stack's outputs (template.yaml): what `describe-stacks` gives.
    outputs = stacks["template"]["Outputs"]
    for name in ["WebBucketName", "UserPoolClientId", "EdgeUrl", "SignInDomain"]:
        assert name in outputs, name
    assert outputs["SignInDomain"]["Condition"] == "HostedSignIn"
