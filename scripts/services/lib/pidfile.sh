# Sourced by the service scripts: stops the process a pidfile names, if it still runs, and waits
# for it to exit so its port and files are free.
#   stop_pidfile LABEL PIDFILE [WAIT_SECONDS]   (default 10)
stop_pidfile() {
    local label=$1 pidfile=$2 wait=${3:-10} pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    rm -f "$pidfile"
    kill -0 "$pid" 2>/dev/null || return 0
    echo "stopping $label ($pid)"
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 $((wait * 10))); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.1; done
    echo "$label ($pid) did not stop within $wait s" >&2
}
