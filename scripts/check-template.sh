#!/usr/bin/env bash
# Checks the deployment's definitions, offline, on every stack: template.yaml
# (the root, whose resources are the nested stacks) and stacks/*.yaml:
#   1. `sam validate --lint` (the SAM transform, then cfn-lint);
#   2. cfn-lint with the serverless rules (DLQs, tracing, log retention, API
#      access logs, throttling, ...): zero findings; every suppression sits in
#      the template beside the resource it concerns, with its reason;
#   3. asl-validator on every statemachines/*.asl.json;
#   4. what AWS will do with the template as `sam deploy` sends it
#      (scripts/checks/transform.py writes target/transformed/template.json):
#      no dependency cycle (UpdatePolicy references count), every Lambda task
#      retries Lambda's transient and timeout errors and no business error,
#      with state timeouts below the functions', every deployed route of
#      openapi.json in the HTTP API's definition body, every stack under 400
#      resources and wired to its outputs' users as CloudFormation needs
#      (scripts/checks/*.py, each citing the AWS documents its rules come
#      from; cycles.py on the root checks the graph between stacks);
#   5. the pipeline deploys what `sam build` made, executable (artefacts.py);
#   6. the checks' own tests (pytest scripts/checks), each feeding its
#      checker a known-bad fixture, and the tests of env.local.json and of
#      the pipeline's artefact.
# Installs what is missing first: the pinned Python tools of
# scripts/requirements-tools.txt into the repository's .venv (with the
# emulators of scripts/emulators/requirements.txt, so one venv holds all) and
# asl-validator (package-lock.json) into ./node_modules.
#
#   scripts/check-template.sh            install if needed, run every check
#   scripts/check-template.sh install    only install
#
# Exits non-zero when any check fails. BERTH_VENV overrides the venv.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${BERTH_VENV:-$ROOT/.venv}
REQUIREMENTS=("$ROOT/scripts/emulators/requirements.txt" "$ROOT/scripts/requirements-tools.txt")

say() { echo "check-template: $*" >&2; }

install_python_tools() {
    mkdir -p "$VENV"
    # One installer at a time (scripts/emulators.sh takes the same lock).
    exec 9>"$VENV/.install.lock"
    flock 9
    local wanted
    wanted=$(cat "${REQUIREMENTS[@]}" | sha256sum | cut -d' ' -f1)
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating $VENV"
        python3 -m venv "$VENV"
    fi
    if [ "$(cat "$VENV/.tools-requirements" 2>/dev/null)" != "$wanted" ]; then
        say "installing the pinned tools into $VENV"
        local began=$SECONDS
        "$VENV/bin/pip" install --disable-pip-version-check --quiet \
            -r "${REQUIREMENTS[0]}" -r "${REQUIREMENTS[1]}"
        echo "$wanted" >"$VENV/.tools-requirements"
        say "installed in $((SECONDS - began)) s"
    fi
    flock -u 9
    exec 9>&-
}

install_node_tools() {
    local lock=$ROOT/package-lock.json marker=$ROOT/node_modules/.berth-lock
    local wanted
    wanted=$(sha256sum "$lock" | cut -d' ' -f1)
    if [ ! -x "$ROOT/node_modules/.bin/asl-validator" ] || [ "$(cat "$marker" 2>/dev/null)" != "$wanted" ]; then
        say "installing asl-validator into node_modules"
        (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
        echo "$wanted" >"$marker"
    fi
}

install_python_tools
install_node_tools
[ "${1:-}" = install ] && exit 0

cd "$ROOT"
# Offline: the transform and the linters need a region, nothing else.
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
export SAM_CLI_TELEMETRY=0

failed=0
run() {
    local name=$1
    shift
    local began=$SECONDS
    if "$@"; then
        say "ok: $name ($((SECONDS - began)) s)"
    else
        say "FAILED: $name"
        failed=1
    fi
}

for template in template.yaml stacks/*.yaml; do
    run "sam validate --lint $template" "$VENV/bin/sam" validate --lint --template-file "$template"
done
run "cfn-lint with the serverless rules" \
    "$VENV/bin/cfn-lint" --append-rules cfn_lint_serverless.rules -- template.yaml stacks/*.yaml
for definition in statemachines/*.asl.json; do
    run "asl-validator $definition" node_modules/.bin/asl-validator --json-path "$definition"
done
if run "SAM transform (target/transformed/*.json, one per stack)" "$VENV/bin/python" scripts/checks/transform.py; then
    run "stacks under 400 resources, wired as declared" "$VENV/bin/python" scripts/checks/stacks.py
    run "no dependency cycle" "$VENV/bin/python" scripts/checks/cycles.py
    run "workflow retries and timeouts" "$VENV/bin/python" scripts/checks/workflow.py
    run "every route in the API's definition body" "$VENV/bin/python" scripts/checks/routes.py
fi
run "pipeline artefacts keep file modes" "$VENV/bin/python" scripts/checks/artefacts.py
run "the checks' own tests" "$VENV/bin/python" -m pytest -q -p no:cacheprovider scripts/checks
exit "$failed"
