#!/usr/bin/env bash
# A local image registry (Debian's docker-registry) on 127.0.0.1 for the push/pull tests.
#   up:   installs docker-registry when missing (without letting its package start a service),
#         starts `docker-registry serve` with filesystem storage in the state folder.
#   down: stops the registry that `up` started.
# Writes RUNBOOK_TEST_REGISTRY=127.0.0.1:PORT to $RUNBOOK_TEST_STATE/20-registry.env.
set -euo pipefail
. "$(dirname "$0")/lib/pidfile.sh"
state="${RUNBOOK_TEST_STATE:?set RUNBOOK_TEST_STATE}"
mkdir -p "$state"
name="$(basename "$0" .sh)"
port="${RUNBOOK_TEST_REGISTRY_PORT:-5055}"
pidfile="$state/registry.pid"
export DEBIAN_FRONTEND=noninteractive

answers() { curl -fsS -o /dev/null "http://127.0.0.1:$port/v2/" 2>/dev/null; }

up() {
    if ! command -v docker-registry >/dev/null; then
        echo "installing docker-registry"
        # Keep the package from starting its own service on :5000.
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends docker-registry >/dev/null || { rm -f /usr/sbin/policy-rc.d; exit 1; }
        rm -f /usr/sbin/policy-rc.d
    fi
    if ! answers; then
        mkdir -p "$state/registry"
        cat >"$state/registry.yml" <<YAML
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $state/registry
  delete:
    enabled: true
http:
  addr: 127.0.0.1:$port
YAML
        echo "starting docker-registry on 127.0.0.1:$port"
        docker-registry serve "$state/registry.yml" >"$state/registry.log" 2>&1 &
        echo $! >"$pidfile"
        for _ in $(seq 1 30); do answers && break; sleep 0.5; done
        if ! answers; then
            echo "docker-registry did not answer on 127.0.0.1:$port; its log:" >&2
            tail -n 20 "$state/registry.log" >&2
            exit 1
        fi
    fi
    echo "RUNBOOK_TEST_REGISTRY=127.0.0.1:$port" >"$state/$name.env"
}

down() {
    stop_pidfile docker-registry "$pidfile"
}

case "${1:-}" in
up) up ;;
down) down ;;
*) echo "usage: $0 up|down" >&2; exit 64 ;;
esac
