#!/usr/bin/env bash
# Renders the search service's manifests from a deployed stack's outputs
# into OUT_DIR (deploy/k8s/render.py fills them), ready for kubectl apply:
#
#   deploy/k8s/render.sh STACK IMAGE_TAG OUT_DIR [REGION]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
stack=${1:?the stack name}
tag=${2:?the image tag}
out=${3:?the output directory}
region=${4:-${AWS_REGION:-}}
outputs=$(mktemp)
trap 'rm -f "$outputs"' EXIT
aws cloudformation describe-stacks --stack-name "$stack" ${region:+--region "$region"} \
    --query 'Stacks[0].Outputs' --output json >"$outputs"
python3 "$here/render.py" "$outputs" "$tag" "$out"
