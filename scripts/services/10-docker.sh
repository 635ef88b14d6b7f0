#!/usr/bin/env bash
# The Docker engine the integration tests build and run images on.
#   up:   installs docker.io when dockerd is missing, starts dockerd when no daemon answers, and makes
#         the local base image (debootstrap + docker import) when it is not there yet (cached by name).
#   down: stops dockerd, only when `up` started it.
# Writes RUNBOOK_TEST_BASE_IMAGE, RUNBOOK_NETWORK, RUNBOOK_ENGINE to $RUNBOOK_TEST_STATE/10-docker.env.
set -euo pipefail
. "$(dirname "$0")/lib/pidfile.sh"
state="${RUNBOOK_TEST_STATE:?set RUNBOOK_TEST_STATE}"
mkdir -p "$state"
name="$(basename "$0" .sh)"
envfile="$state/$name.env"
pidfile="$state/dockerd.pid"
base_image="${RUNBOOK_TEST_BASE_IMAGE:-runbook-test/bookworm-python:minbase}"
export DEBIAN_FRONTEND=noninteractive

apt_updated=false
apt_install() {
    if ! $apt_updated; then apt-get update -qq; apt_updated=true; fi
    apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# The first deb mirror in the machine's apt sources (deb822 .sources or one-line sources.list).
apt_mirror() {
    local uri=""
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        uri=$(awk '/^URIs:/ && $2 !~ /security/ { print $2; exit }' "$f")
        [ -n "$uri" ] && break
    done
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1 == "deb" && $0 !~ /security/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; exit } }' /etc/apt/sources.list)
    fi
    echo "${uri:-http://deb.debian.org/debian}"
}

daemon_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

up() {
    if ! command -v dockerd >/dev/null; then
        echo "installing docker.io"
        apt_install docker.io
    fi
    if ! daemon_answers; then
        echo "starting dockerd"
        # No iptables or bridge in this sandbox: builds and containers use --network host.
        dockerd --iptables=false --bridge=none --storage-driver=overlay2 >"$state/dockerd.log" 2>&1 &
        echo $! >"$pidfile"
        for _ in $(seq 1 60); do
            daemon_answers && break
            sleep 1
        done
        if ! daemon_answers; then
            echo "dockerd did not answer within 60 s; its log:" >&2
            tail -n 30 "$state/dockerd.log" >&2
            exit 1
        fi
    fi
    if ! docker image inspect "$base_image" >/dev/null 2>&1; then
        command -v debootstrap >/dev/null || apt_install debootstrap
        local mirror dir
        mirror=$(apt_mirror)
        dir=$(mktemp -d /var/tmp/runbook-base.XXXXXX)
        echo "making base image $base_image with debootstrap from $mirror"
        debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates \
            bookworm "$dir" "$mirror" >"$state/debootstrap.log" 2>&1 || {
            tail -n 30 "$state/debootstrap.log" >&2
            exit 1
        }
        rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
        tar -C "$dir" -c . | docker import -c 'CMD ["/bin/bash"]' - "$base_image" >/dev/null
        rm -rf "$dir"
    fi
    cat >"$envfile" <<ENV
RUNBOOK_TEST_BASE_IMAGE=$base_image
RUNBOOK_BASE_IMAGE=$base_image
RUNBOOK_NETWORK=host
RUNBOOK_ENGINE=docker
ENV
}

down() {
    stop_pidfile dockerd "$pidfile" 30
}

case "${1:-}" in
up) up ;;
down) down ;;
*) echo "usage: $0 up|down" >&2; exit 64 ;;
esac
