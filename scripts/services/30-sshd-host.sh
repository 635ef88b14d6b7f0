#!/usr/bin/env bash
# An SSH test host for the apply tests: a container (host network) running sshd on 127.0.0.1:PORT,
# built from the local base image (sshd-host/Dockerfile), with user `ubuntu` (passwordless sudo) and
# user `deployer` (sudo with a password: the become-password tests).
#   up:   builds the image when missing, starts the container when it is not running, generates a
#         client key in the state folder and authorises it, records the host key in a known_hosts.
#   down: removes the container, only when `up` started it.
# Writes RUNBOOK_TEST_SSH_HOST, _PORT, _USER, _KEY (private key file), _KNOWN_HOSTS (a
# known_hosts file holding the host's key), _SUDO_USER and _SUDO_PASSWORD to $RUNBOOK_TEST_STATE/30-sshd-host.env.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
state="${RUNBOOK_TEST_STATE:?set RUNBOOK_TEST_STATE}"
name="$(basename "$0" .sh)"
port="${RUNBOOK_TEST_SSH_PORT:-2222}"
image="runbook-test/sshd-host:3"
sudo_password="sudo-pw-runbook-test-5d1c"
container="runbook-test-sshd-$port"
dir="$state/sshd-host"
marker="$dir/started-container"
base_image="${RUNBOOK_TEST_BASE_IMAGE:-runbook-test/bookworm-python:minbase}"
mkdir -p "$dir"

# Running, and from this image version (an older one may lack a user the tests need).
running() {
    [ "$(docker inspect --format '{{.State.Running}} {{.Config.Image}}' "$container" 2>/dev/null)" = "true $image" ]
}

up() {
    if ! docker image inspect "$image" >/dev/null 2>&1; then
        echo "building $image (sshd, sudo and the web stack configure-ec2.yml installs)"
        docker build --network host --build-arg "BASE_IMAGE=$base_image" \
            --build-arg "DEPLOYER_PASSWORD=$sudo_password" -t "$image" "$here/sshd-host" \
            >"$dir/build.log" 2>&1 || { tail -n 30 "$dir/build.log" >&2; exit 1; }
    fi
    if ! running; then
        docker rm --force "$container" >/dev/null 2>&1 || true
        echo "starting $container on 127.0.0.1:$port"
        docker run --detach --name "$container" --network host "$image" /usr/sbin/sshd -D -e -p "$port" >"$marker"
    fi
    [ -f "$dir/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C runbook-test -f "$dir/id_ed25519"
    # Authorise this state folder's key (another checkout may share the container with its own key).
    for user in ubuntu deployer; do
        docker exec -i "$container" sh -c "f=/etc/ssh/authorized_keys/$user; touch \$f; k=\$(cat); grep -qxF \"\$k\" \$f || echo \"\$k\" >>\$f" \
            <"$dir/id_ed25519.pub"
    done
    local key=""
    for _ in $(seq 1 50); do
        key=$(docker exec "$container" cat /etc/ssh/ssh_host_ed25519_key.pub 2>/dev/null | cut -d' ' -f1,2) && [ -n "$key" ] && break
        sleep 0.2
    done
    echo "[127.0.0.1]:$port $key" >"$dir/known_hosts"
    local ok=false
    for _ in $(seq 1 50); do
        if ssh -o BatchMode=yes -o UserKnownHostsFile="$dir/known_hosts" -i "$dir/id_ed25519" -p "$port" \
            ubuntu@127.0.0.1 true 2>/dev/null; then ok=true; break; fi
        sleep 0.2
    done
    if ! $ok; then
        echo "cannot log in to $container over ssh; its log:" >&2
        docker logs --tail 20 "$container" >&2
        exit 1
    fi
    cat >"$state/$name.env" <<ENV
RUNBOOK_TEST_SSH_HOST=127.0.0.1
RUNBOOK_TEST_SSH_PORT=$port
RUNBOOK_TEST_SSH_USER=ubuntu
RUNBOOK_TEST_SSH_KEY=$dir/id_ed25519
RUNBOOK_TEST_SSH_KNOWN_HOSTS=$dir/known_hosts
RUNBOOK_TEST_SSH_SUDO_USER=deployer
RUNBOOK_TEST_SSH_SUDO_PASSWORD=$sudo_password
ENV
}

down() {
    if [ -f "$marker" ]; then
        rm -f "$marker"
        echo "removing $container"
        docker rm --force "$container" >/dev/null 2>&1 || true
    fi
}

case "${1:-}" in
up) up ;;
down) down ;;
*) echo "usage: $0 up|down" >&2; exit 64 ;;
esac
