#!/usr/bin/env bash
# Podman, for the podman integration tests (Tests/RunbookIntegrationTests/PodmanTests.swift).
#   up:   installs podman (and catatonit, which `run --init` needs) when missing; sets up a test-owned
#         podman store under $RUNBOOK_TEST_STATE/podman (its own storage.conf and containers.conf,
#         picked by CONTAINERS_STORAGE_CONF / CONTAINERS_CONF: nothing is written under /etc, and the
#         machine's own podman images and containers are not touched); loads the base image from
#         docker (10-docker.sh made it; no registry is reachable here): `docker save | podman load`.
#   down: removes that store (every image and container in it) and its config.
# Writes RUNBOOK_TEST_PODMAN, RUNBOOK_TEST_PODMAN_ULIMITS, CONTAINERS_STORAGE_CONF and CONTAINERS_CONF
# to $RUNBOOK_TEST_STATE/15-podman.env. It leaves RUNBOOK_ENGINE alone: the other tests use docker.
#
# Storage: overlay, on its own graphroot, beside dockerd's (separate directories, separate locks:
# no conflict). The rlimits are not set in containers.conf on purpose: the tests pass them with
# runbook's --engine-option, which is the feature under test. Podman's default for rootful
# containers (nofile 1048576) is above this machine's hard limit, and without CAP_SYS_RESOURCE runc
# then fails ("error setting rlimit type 7: operation not permitted").
set -euo pipefail
state="${RUNBOOK_TEST_STATE:?set RUNBOOK_TEST_STATE}"
mkdir -p "$state"
state=$(cd "$state" && pwd)
name="$(basename "$0" .sh)"
envfile="$state/$name.env"
dir="$state/podman"
base_image="${RUNBOOK_TEST_BASE_IMAGE:-runbook-test/bookworm-python:minbase}"
export DEBIAN_FRONTEND=noninteractive
export CONTAINERS_STORAGE_CONF="$dir/storage.conf" CONTAINERS_CONF="$dir/containers.conf"

# The smaller of a wanted limit and the hard limit (which may be "unlimited").
within_hard_limit() {
    local want=$1 hard=$2
    if [ "$hard" = unlimited ] || [ "$hard" -ge "$want" ]; then echo "$want"; else echo "$hard"; fi
}

# Reports a failed `up`, and removes the half-made store (scripts/test only calls `down` after an `up` that worked).
fail() {
    echo "$1" >&2
    tail -n 20 "$state/podman.log" >&2
    down >/dev/null 2>&1 || true
    exit 1
}

up() {
    if ! command -v podman >/dev/null || [ ! -x /usr/libexec/podman/catatonit ]; then
        echo "installing podman"
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends podman catatonit >/dev/null
    fi
    mkdir -p "$dir/storage" "$dir/run" "$dir/tmp"
    cat >"$CONTAINERS_STORAGE_CONF" <<CONF
[storage]
driver = "overlay"
graphroot = "$dir/storage"
runroot = "$dir/run"
CONF
    # No journald here: events go to a file; the engine's state stays out of /run/libpod.
    cat >"$CONTAINERS_CONF" <<CONF
[engine]
events_logger = "file"
events_logfile_path = "$dir/events.log"
tmp_dir = "$dir/tmp"
CONF
    if ! podman info --format '{{.Store.GraphRoot}}' >"$state/podman.log" 2>&1; then
        fail "podman does not work here; podman info says:"
    fi
    if ! podman image exists "$base_image"; then
        echo "loading base image $base_image from docker into podman"
        docker save "$base_image" 2>>"$state/podman.log" | podman load >>"$state/podman.log" 2>&1 ||
            fail "could not copy $base_image from docker into podman (is 10-docker.sh up?):"
    fi
    local nofile nproc
    nofile=$(within_hard_limit 20000 "$(ulimit -Hn)")
    nproc=$(within_hard_limit 4096 "$(ulimit -Hu)")
    cat >"$envfile" <<ENV
RUNBOOK_TEST_PODMAN=1
RUNBOOK_TEST_PODMAN_ULIMITS="nofile=$nofile:$nofile nproc=$nproc:$nproc"
CONTAINERS_STORAGE_CONF=$CONTAINERS_STORAGE_CONF
CONTAINERS_CONF=$CONTAINERS_CONF
ENV
}

down() {
    rm -f "$envfile"
    [ -f "$CONTAINERS_STORAGE_CONF" ] || return 0
    # Only ever the test store: refuse when the config names a graphroot outside $dir.
    if ! grep -qF "graphroot = \"$dir/storage\"" "$CONTAINERS_STORAGE_CONF"; then
        echo "$CONTAINERS_STORAGE_CONF does not point into $dir; not resetting it" >&2
        return 1
    fi
    if command -v podman >/dev/null; then
        echo "removing the podman test store $dir"
        podman system reset --force >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
}

case "${1:-}" in
up) up ;;
down) down ;;
*) echo "usage: $0 up|down" >&2; exit 64 ;;
esac
