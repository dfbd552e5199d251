#!/usr/bin/env bash
# Builds the app once and runs the Playwright end-to-end tests. Arguments go to
# `playwright test`, for example `npm run test:e2e -- relay-smoke` or `-- --grep offline`.
#
# As root with iproute2, the tests run in a network namespace of their own
# (scripts/in-netns.sh), so the WebRTC traffic between the test browsers stays inside it.
set -euo pipefail

cd "$(dirname "$0")/../.."

# Each test runs two or three Chromium processes with many open files each.
minimum_file_limit=8192
if [[ "$(ulimit -n)" != "unlimited" && "$(ulimit -n)" -lt "$minimum_file_limit" ]]; then
  ulimit -n "$minimum_file_limit" 2>/dev/null || echo "e2e: could not raise the open file limit to ${minimum_file_limit}" >&2
fi

# Playwright must use the system Chromium (see test/e2e/chromium.ts) and never download one.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1

echo "e2e: building the app with test hooks"
MESHTEXT_TEST_HOOKS=1 npx vite build

exec bash scripts/in-netns.sh npx playwright test "$@"
