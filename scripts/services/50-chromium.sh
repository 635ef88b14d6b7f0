#!/usr/bin/env bash
# Debian's chromium, headless, for the HTML report tests (the page renders without console errors and
# a screenshot shows the timeline), and sqlite3, the CLI the history tests read the database with.
#   up:   installs what is missing with apt and writes the browser's path to $RUNBOOK_TEST_STATE/50-chromium.env.
#   down: nothing to stop (each test starts and ends its own browser).
set -euo pipefail
state="${RUNBOOK_TEST_STATE:?set RUNBOOK_TEST_STATE}"
mkdir -p "$state"

case "${1:-}" in
up)
    need=()
    command -v chromium >/dev/null || need+=(chromium)
    command -v sqlite3 >/dev/null || need+=(sqlite3)
    if [ ${#need[@]} -gt 0 ]; then
        echo "chromium: installing ${need[*]} with apt"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
    fi
    path=$(command -v chromium)
    echo "RUNBOOK_TEST_CHROMIUM=$path" >"$state/50-chromium.env"
    echo "chromium: $path ($("$path" --version 2>/dev/null | head -1))"
    ;;
down) ;;
*)
    echo "usage: $0 up|down" >&2
    exit 64
    ;;
esac
