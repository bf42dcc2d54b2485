#!/usr/bin/env bash
# Validates every manifest in this folder against the Kubernetes API
# schemas, offline and strictly (unknown fields are errors), with
# kubernetes-validate from PyPI (its schemas ship inside the package).
# Installs it once into .tools/k8s-validate (git-ignored). Exits non-zero
# when any manifest is invalid.
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
manifests=("$here"/*.yaml)
if [ ${#manifests[@]} -eq 0 ]; then
  echo "no manifests in $here" >&2
  exit 1
fi
"$venv/bin/kubernetes-validate" --strict --kubernetes-version "$kubernetes" "${manifests[@]}"
