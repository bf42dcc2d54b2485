#!/usr/bin/env bash
# Builds every function (functions/src/bin/) for AWS Lambda on arm64 with
# cargo-lambda (pinned, with zig, in the repository's .venv), prints each
# zip's size and fails if any is 5 MB or more (Berth aims for 2 MB).
#
#   scripts/package.sh             build every function, then report
#   scripts/package.sh --largest   build and report only the function whose
#                                  code reaches the most AWS services (then
#                                  the most ports), as `berth catalogue`
#                                  lists them: it links the most SDK clients,
#                                  which is what makes a zip big. CI's proof
#                                  of arm64 cross-compilation and the 5 MB
#                                  limit; the GitHub pipeline builds them all.
#   scripts/package.sh --report    only report the zips an earlier build made
#
# Zips land in $CARGO_TARGET_DIR/lambda/<function>/bootstrap.zip (target/ by
# default). `sam build` builds the same binaries through the template.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=${BERTH_VENV:-$ROOT/.venv}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
LIMIT=$((5 * 1024 * 1024))
AIM=$((2 * 1024 * 1024))

say() { echo "package: $*" >&2; }

functions() {
    local bin=$ROOT/functions/src/bin entry
    [ -d "$bin" ] || return 0
    for entry in "$bin"/*; do
        if [ -f "$entry" ] && [ "${entry%.rs}" != "$entry" ]; then
            basename "$entry" .rs
        elif [ -f "$entry/main.rs" ]; then
            basename "$entry"
        fi
    done | sort
}

# The function whose ports reach the most AWS services, then the most ports.
largest() {
    # `--workspace` resolves features as the test build did, so its
    # dependencies are reused rather than rebuilt.
    (cd "$ROOT" && cargo build --quiet --workspace --bin berth)
    "$TARGET/debug/berth" catalogue --json | python3 -c '
import json, sys
def weight(f):
    services = {a.split(":")[0] for a in f["actions"]}
    return (len(services), len(f["ports"]), f["name"])
print(max(json.load(sys.stdin), key=weight)["name"])'
}

if [ "${1:-}" = --largest ]; then
    names=$(largest)
    say "the largest function by its AWS services and ports: $names"
else
    names=$(functions)
fi
if [ -z "$names" ]; then
    say "functions/src/bin/ has no binaries yet: nothing to package"
    exit 1
fi

if [ "${1:-}" != --report ]; then
    BERTH_VENV=$VENV "$ROOT/scripts/check-template.sh" install
    # cargo-lambda and zig (python -m ziglang) come from the venv.
    export PATH=$VENV/bin:$PATH
    began=$SECONDS
    # The same package selection as `sam build` (a `--bin` at the workspace
    # root, no `-p`), so both resolve the same features and share one build.
    bins=()
    for name in $names; do bins+=(--bin "$name"); done
    (cd "$ROOT" && cargo lambda build --release --arm64 --output-format zip "${bins[@]}")
    say "built $(echo "$names" | wc -l) function(s) in $((SECONDS - began)) s"
fi

status=0
total=0
printf '%-22s %10s\n' function "zip bytes"
for name in $names; do
    zip=$TARGET/lambda/$name/bootstrap.zip
    if [ ! -f "$zip" ]; then
        printf '%-22s %10s\n' "$name" missing
        status=1
        continue
    fi
    size=$(stat -c %s "$zip")
    total=$((total + size))
    note=""
    if ((size >= LIMIT)); then
        note="  <- 5 MB or more"
        status=1
    elif ((size > AIM)); then
        note="  (over the 2 MB aim)"
    fi
    printf '%-22s %10d %5.2f MB%s\n' "$name" "$size" "$(awk "BEGIN {print $size / 1048576}")" "$note"
done
printf '%-22s %10d\n' total "$total"
exit "$status"
