#!/usr/bin/env bash
# Berth's test command: everything a change must pass, on a fresh machine.
#
#   1. the deployment's definitions: template.yaml and its nested stacks (sam validate --lint,
#      cfn-lint with the serverless rules), the state machines (asl-validator),
#      the Kubernetes manifests of the search service;
#   2. every Rust test in the workspace, with moto and localstripe running on
#      127.0.0.1 for the AWS adapters' tests (started and stopped here);
#   3. the web app: its JavaScript type-checked, then browser tests in
#      Debian's headless Chromium against a fresh `berth serve` (screenshots
#      of every page under target/screenshots/).
#
# Installs what it needs first: Python tools into .venv, npm tools into
# node_modules, both inside the repository. Extra arguments go to
# `cargo test` (e.g. `scripts/test.sh -p berth-domain`).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

step() { printf '\n== %s\n' "$*" >&2; }

step "template, state machines"
scripts/check-template.sh

step "Kubernetes manifests"
deploy/k8s/validate.sh

step "Rust tests (with moto and localstripe)"
scripts/emulators.sh run -- cargo test --workspace "$@"

step "web app (type check, browser tests in headless Chromium)"
web/tests/run.sh
