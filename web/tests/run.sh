#!/usr/bin/env bash
# The web app's checks: its JavaScript type-checked from JSDoc (tsc --noEmit
# --checkJs, web/tsconfig.json), the PKCE pieces against RFC 7636's example
# (web/tests/pkce.mjs), then the browser tests (web/tests/browser.mjs)
# in Debian's Chromium, headless, against a fresh `berth serve`.
#
#   web/tests/run.sh [path to berth]     (default: a debug build, built here)
#
# Installs what it needs when missing: chromium with apt-get (never a browser
# download), the npm tools into node_modules. Screenshots go to
# target/screenshots/.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

if [[ ! -x /usr/bin/chromium ]]; then
    echo "installing chromium (Debian)" >&2
    if [[ $(id -u) -eq 0 ]]; then apt-get install -y chromium >/dev/null; else sudo apt-get install -y chromium >/dev/null; fi
fi
if [[ ! -d node_modules/playwright-core || ! -d node_modules/typescript || ! -d node_modules/axe-core ]]; then
    npm ci --no-audit --no-fund --loglevel=error
fi

echo "type-checking web/js" >&2
node_modules/.bin/tsc -p web/tsconfig.json
node web/tests/pkce.mjs

BERTH=${1:-}
if [[ -z "$BERTH" ]]; then
    # The same build as the workspace's tests, so nothing compiles twice.
    cargo test --workspace --no-run --quiet
    BERTH=target/debug/berth
fi
node web/tests/browser.mjs "$BERTH"
