#!/usr/bin/env bash
# moto's server mode as the AWS endpoint for the credentials integration tests.
#   up:   installs moto[server] with pip when moto_server is missing, starts two servers on 127.0.0.1
#         (a plain one, and one that checks SigV4 signatures after its first INITIAL_NO_AUTH_ACTION_COUNT
#         calls), waits until both answer, and writes their URLs to $RUNBOOK_TEST_STATE/moto.env.
#   down: stops only the servers `up` started (by the pids it wrote).
set -euo pipefail
. "$(dirname "$0")/lib/pidfile.sh"
state="${RUNBOOK_TEST_STATE:?set RUNBOOK_TEST_STATE}"
mkdir -p "$state"
plain_port="${RUNBOOK_MOTO_PORT:-5791}"
auth_port="${RUNBOOK_MOTO_AUTH_PORT:-5792}"
# Calls the signature-checking server answers without checking: the five setup calls of create_key
# below. Every later call must be signed with a key moto knows.
auth_free_calls=5

python_bin() { command -v python3 || command -v python; }

install_moto() {
    command -v moto_server >/dev/null && "$(python_bin)" -c 'import botocore' 2>/dev/null && return
    echo "moto: installing moto[server] with pip"
    "$(python_bin)" -m pip install --quiet "moto[server]" || "$(python_bin)" -m pip install --quiet --break-system-packages "moto[server]"
    hash -r
}

running() { # name: whether this state folder's server of that name is up
    local pidfile="$state/moto-$1.pid"
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null && [ -f "$state/moto-$1.port" ]
}

# The port for a server: the one it already runs on, else the default unless something else (another
# checkout's or the demo's moto) holds it, else a free one.
pick_port() { # name default
    if running "$1"; then cat "$state/moto-$1.port"; return; fi
    "$(python_bin)" - "$2" <<'PY'
import socket, sys
probe = socket.socket()
busy = probe.connect_ex(("127.0.0.1", int(sys.argv[1]))) == 0
probe.close()
if not busy:
    print(sys.argv[1])
else:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    print(s.getsockname()[1])
    s.close()
PY
}

start() { # name port [env assignments...]
    local name=$1 port=$2
    shift 2
    running "$name" && return
    env "$@" moto_server -H 127.0.0.1 -p "$port" >"$state/moto-$name.log" 2>&1 &
    echo $! >"$state/moto-$name.pid"
    echo "$port" >"$state/moto-$name.port"
}

wait_for() { # port
    for _ in $(seq 1 100); do
        if "$(python_bin)" - "$1" <<'PY' 2>/dev/null; then return 0; fi
import sys, urllib.request
urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/moto-api/", timeout=1)
PY
        sleep 0.2
    done
    echo "moto: the server on port $1 did not answer within 20 s; see $state/moto-*.log" >&2
    return 1
}

# Creates IAM user runbook-ci with an access key and an allow-all policy, and role runbook-deployer
# (allow-all) for it to assume, on the signature-checking server (once per server; the first
# $auth_free_calls calls are not checked), with boto3 (a moto dependency); keeps the key in
# $state/moto-auth-key.env.
create_key() { # port
    local keyfile="$state/moto-auth-key.env"
    [ -f "$keyfile" ] && [ "$(cat "$state/moto-auth.started" 2>/dev/null)" = "$(cat "$state/moto-auth.pid")" ] && return
    "$(python_bin)" - "$1" >"$keyfile" <<'PY'
import sys, boto3
iam = boto3.client("iam", endpoint_url=f"http://127.0.0.1:{sys.argv[1]}", region_name="us-east-1",
                   aws_access_key_id="AKIAIOSFODNN7EXAMPLE", aws_secret_access_key="x" * 40)
allow = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
trust = ('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", '
         '"Principal": {"AWS": "arn:aws:iam::123456789012:user/runbook-ci"}}]}')
iam.create_user(UserName="runbook-ci")
key = iam.create_access_key(UserName="runbook-ci")["AccessKey"]
iam.put_user_policy(UserName="runbook-ci", PolicyName="all", PolicyDocument=allow)
role = iam.create_role(RoleName="runbook-deployer", AssumeRolePolicyDocument=trust)["Role"]
iam.put_role_policy(RoleName="runbook-deployer", PolicyName="all", PolicyDocument=allow)
print(f"RUNBOOK_TEST_MOTO_AUTH_KEY_ID={key['AccessKeyId']}")
print(f"RUNBOOK_TEST_MOTO_AUTH_SECRET={key['SecretAccessKey']}")
print(f"RUNBOOK_TEST_MOTO_AUTH_ROLE_ARN={role['Arn']}")
PY
    cp "$state/moto-auth.pid" "$state/moto-auth.started"
}

case "${1:-}" in
up)
    install_moto
    plain_port=$(pick_port plain "$plain_port")
    auth_port=$(pick_port auth "$auth_port")
    start plain "$plain_port"
    start auth "$auth_port" "INITIAL_NO_AUTH_ACTION_COUNT=$auth_free_calls"
    wait_for "$plain_port"
    wait_for "$auth_port"
    create_key "$auth_port"
    cat "$state/moto-auth-key.env" >"$state/moto.env"
    cat >>"$state/moto.env" <<ENV
RUNBOOK_TEST_MOTO_URL=http://127.0.0.1:$plain_port
RUNBOOK_TEST_MOTO_AUTH_URL=http://127.0.0.1:$auth_port
ENV
    echo "moto: plain on $plain_port, signature-checking on $auth_port"
    ;;
down)
    for name in plain auth; do
        stop_pidfile "moto ($name)" "$state/moto-$name.pid" 5
        rm -f "$state/moto-$name.port"
    done
    rm -f "$state/moto.env" "$state/moto-auth-key.env" "$state/moto-auth.started"
    ;;
*)
    echo "usage: $0 up|down" >&2
    exit 64
    ;;
esac
