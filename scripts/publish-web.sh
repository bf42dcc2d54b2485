#!/usr/bin/env bash
# Publishes the web app to a deployed stack (docs/deployment.md, "The web
# app"): the files `berth serve` embeds (web/, by extension, without its
# tests), openapi.json (the app shows pages for the routes it lists), and
# config.json, which tells the app to sign in with Cognito's hosted UI and
# to call the API on its own origin (CloudFront sends API paths to it).
#
#   scripts/publish-web.sh <stack name>
#
# Everything comes from the stack's outputs: the bucket, the app client, and
# the hosted UI's domain (SignInDomain, present when the stack was deployed
# with WebDomainName); without that output the app runs but says that
# sign-in is not set up.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STACK=${1:?usage: scripts/publish-web.sh <stack name>}

output() {
    aws cloudformation describe-stacks --stack-name "$STACK" \
        --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
BUCKET=$(output WebBucketName)
CLIENT=$(output UserPoolClientId)
EDGE=$(output EdgeUrl)
DOMAIN=$(output SignInDomain)
[[ "$DOMAIN" == "None" ]] && DOMAIN=""
if [[ -z "$BUCKET" || "$BUCKET" == "None" ]]; then
    echo "$STACK has no web bucket (deploy it with EnableEdge=true)" >&2
    exit 1
fi

CONFIG=$(mktemp)
trap 'rm -f "$CONFIG"' EXIT
if [[ -n "$DOMAIN" ]]; then
    printf '{"api":"","auth":{"kind":"cognito","domain":"%s","client_id":"%s","scopes":"openid email"}}\n' \
        "$DOMAIN" "$CLIENT" >"$CONFIG"
else
    printf '{"api":"","auth":{"kind":"none"}}\n' >"$CONFIG"
fi

# Names are not versioned, so browsers revalidate every file (no-cache),
# as `berth serve` tells them to.
aws s3 sync "$ROOT/web/" "s3://$BUCKET/" --delete --cache-control no-cache \
    --exclude '*' --include '*.html' --include '*.css' --include '*.js' --include '*.svg' \
    --include '*.png' --include '*.ico' --include '*.webmanifest' \
    --exclude 'tests/*' --exclude 'node_modules/*'
aws s3 cp "$ROOT/openapi.json" "s3://$BUCKET/openapi.json" \
    --content-type application/json --cache-control no-cache
aws s3 cp "$CONFIG" "s3://$BUCKET/config.json" \
    --content-type application/json --cache-control no-cache
DISTRIBUTION=$(aws cloudfront list-distributions \
    --query "DistributionList.Items[?DomainName=='${EDGE#https://}'].Id" --output text)
aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION" --paths '/*' >/dev/null
echo "published the web app to $EDGE" >&2
