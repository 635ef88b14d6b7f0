#!/usr/bin/env bash
# check-jsonschema from PyPI, for the pipeline template tests: its vendored GitHub Actions, GitLab CI
# and Bitbucket Pipelines schemas work offline.
#   up:   installs it with pip when missing and writes its path to $RUNBOOK_TEST_STATE/40-check-jsonschema.env.
#   down: nothing to stop.
set -euo pipefail
state="${RUNBOOK_TEST_STATE:?set RUNBOOK_TEST_STATE}"
mkdir -p "$state"
python_bin() { command -v python3 || command -v python; }

case "${1:-}" in
up)
    if ! command -v check-jsonschema >/dev/null; then
        echo "check-jsonschema: installing with pip"
        "$(python_bin)" -m pip install --quiet check-jsonschema \
            || "$(python_bin)" -m pip install --quiet --break-system-packages check-jsonschema
    fi
    path=$(command -v check-jsonschema)
    echo "RUNBOOK_TEST_CHECK_JSONSCHEMA=$path" >"$state/40-check-jsonschema.env"
    echo "check-jsonschema: $path ($("$path" --version 2>&1 | head -1))"
    ;;
down) ;;
*)
    echo "usage: $0 up|down" >&2
    exit 64
    ;;
esac
