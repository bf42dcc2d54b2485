#!/usr/bin/env bash
# Renders every manifest in this folder from a fixture of the stack's
# outputs (render.py) and validates what comes out against the Kubernetes
# API schemas, offline and strictly (unknown fields are errors), with
# kubernetes-validate from PyPI (its schemas ship inside the package).
# Also: the templates hard-code no account, region or stream (everything
# stack-specific comes from the outputs), every output value lands in the
# rendering, replicas restore the snapshot from S3 themselves, and rendering
# from outputs that lack one fails.
# Installs kubernetes-validate once into .tools/k8s-validate (git-ignored).
# Exits non-zero when any check fails.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$root/.tools/k8s-validate"
version="1.37.0"
# The EKS version the cluster runs.
kubernetes="${KUBERNETES_VERSION:-1.33.0}"

if ! "$venv/bin/kubernetes-validate" --version 2>/dev/null | grep -q "$version"; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "kubernetes-validate==$version"
fi

shopt -s nullglob
templates=("$here"/*.yaml)
if [ ${#templates[@]} -eq 0 ]; then
  echo "no manifests in $here" >&2
  exit 1
fi
if grep -nE '[0-9]{12}|arn:aws:|(us|eu|ap|sa|ca|me|af)-[a-z]+-[0-9]' "${templates[@]}"; then
  echo "the templates above hard-code an account, ARN or region: take it from the stack's outputs" >&2
  exit 1
fi

rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT
python3 "$here/render.py" "$here/fixtures/stack-outputs.json" v1.2.3 "$rendered/ok" >/dev/null
for value in $(python3 -c 'import json,sys; print(" ".join(o["OutputValue"] for o in json.load(open(sys.argv[1])) if o["OutputKey"].startswith("Search")))' "$here/fixtures/stack-outputs.json") ap-southeast-2; do
  grep -rqF -- "$value" "$rendered/ok" || { echo "the rendered manifests lack $value" >&2; exit 1; }
done
if grep -rn '\${' "$rendered/ok"; then
  echo "placeholders left in the rendered manifests" >&2
  exit 1
fi
# Replicas read the snapshot from S3 themselves (no aws-cli init container).
bucket=$(python3 -c 'import json,sys; print(next(o["OutputValue"] for o in json.load(open(sys.argv[1])) if o["OutputKey"] == "SearchSnapshotBucketName"))' "$here/fixtures/stack-outputs.json")
grep -qF -- "--snapshot=s3://$bucket/search/latest.snap" "$rendered/ok/deployment.yaml" || {
  echo "the deployment does not restore s3://$bucket/search/latest.snap" >&2
  exit 1
}
if grep -nE 'initContainers|aws-cli' "$rendered/ok/deployment.yaml"; then
  echo "the deployment fetches the snapshot with an init container; the service reads it from S3" >&2
  exit 1
fi
if python3 "$here/render.py" "$here/fixtures/stack-outputs-without-bucket.json" v1.2.3 "$rendered/bad" 2>/dev/null; then
  echo "rendering from outputs without SearchSnapshotBucketName succeeded; it must fail" >&2
  exit 1
fi

"$venv/bin/kubernetes-validate" --strict --kubernetes-version "$kubernetes" "$rendered"/ok/*.yaml
