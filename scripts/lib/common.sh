# shellcheck shell=bash
# Shared by scripts/*.sh: repo root, profile defaults, logging, pid helpers.
# Source it; it defines functions and exports the environment, it starts nothing.

GRIDLOOP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# --- profile -------------------------------------------------------------------------------------------
# Values decided in docs/ARCHITECTURE.md. Anything already set in the environment wins over the profile,
# so e.g. `KAFKA_PORT=29092 scripts/stack.sh infra-up` works.
case "${GRIDLOOP_PROFILE:-dev}" in
  dev)
    : "${GRIDLOOP_RUN_DIR:=.run/dev}"
    : "${KAFKA_PORT:=9092}" "${KAFKA_CONTROLLER_PORT:=9093}" "${PG_PORT:=55432}"
    : "${INTAKE_PORT:=8001}" "${DISPATCH_PORT:=8002}" "${HANDLING_PORT:=8003}" "${SCORING_PORT:=8004}"
    : "${CONSOLE_PORT:=8005}"
    ;;
  test)
    : "${GRIDLOOP_RUN_DIR:=.run/test}"
    : "${KAFKA_PORT:=19092}" "${KAFKA_CONTROLLER_PORT:=19093}" "${PG_PORT:=55433}"
    : "${INTAKE_PORT:=18001}" "${DISPATCH_PORT:=18002}" "${HANDLING_PORT:=18003}" "${SCORING_PORT:=18004}"
    : "${CONSOLE_PORT:=18005}"
    ;;
  *)
    echo "unknown GRIDLOOP_PROFILE='${GRIDLOOP_PROFILE}' (expected dev or test)" >&2
    exit 2
    ;;
esac

# A relative run dir is relative to the repo, not to wherever the script was called from.
case "$GRIDLOOP_RUN_DIR" in
  /*) ;;
  *) GRIDLOOP_RUN_DIR="$GRIDLOOP_ROOT/$GRIDLOOP_RUN_DIR" ;;
esac
export GRIDLOOP_RUN_DIR KAFKA_PORT KAFKA_CONTROLLER_PORT PG_PORT
export INTAKE_PORT DISPATCH_PORT HANDLING_PORT SCORING_PORT CONSOLE_PORT

# The Kafka release the project runs; see scripts/kafka/README.md for why this one.
: "${KAFKA_VERSION:=4.4.0}"
export KAFKA_VERSION

# Used by the scripts that source this file.
# shellcheck disable=SC2034
GRIDLOOP_PY="$GRIDLOOP_ROOT/.venv/bin/python"
# shellcheck disable=SC2034
LOG_DIR="$GRIDLOOP_RUN_DIR/logs"
# shellcheck disable=SC2034
PID_DIR="$GRIDLOOP_RUN_DIR/pids"

# --- output --------------------------------------------------------------------------------------------
log() { printf '[%s] %s\n' "${GRIDLOOP_LOG_TAG:-gridloop}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${GRIDLOOP_LOG_TAG:-gridloop}" "$*" >&2; exit 1; }

# Print the last lines of a log file, indented, for error messages.
log_tail() {
  local file=$1 lines=${2:-30}
  if [[ -s $file ]]; then
    printf -- '--- last %s lines of %s ---\n' "$lines" "$file" >&2
    tail -n "$lines" "$file" | sed 's/^/  | /' >&2
  else
    printf -- '--- %s is empty or missing ---\n' "$file" >&2
  fi
}

# --- processes -----------------------------------------------------------------------------------------
# pid_alive PIDFILE [PATTERN]: the pid in PIDFILE is running and, when PATTERN is given, its command line
# contains PATTERN (guards against a stale pid file whose pid was reused by an unrelated process).
pid_alive() {
  local pidfile=$1 pattern=${2:-} pid
  [[ -s $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  if [[ -n $pattern ]]; then
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern" || return 1
  fi
}

# stop_pid PIDFILE NAME GRACE_SECONDS [PATTERN]: SIGTERM, wait up to GRACE, then SIGKILL. Removes PIDFILE.
stop_pid() {
  local pidfile=$1 name=$2 grace=$3 pattern=${4:-} pid i
  if ! pid_alive "$pidfile" "$pattern"; then
    rm -f "$pidfile"
    return 0
  fi
  pid=$(<"$pidfile")
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within ${grace}s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.2
  fi
  rm -f "$pidfile"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# --- system packages -----------------------------------------------------------------------------------
# apt_ready WHAT PACKAGE: about to apt-get install PACKAGE, which provides WHAT. As root: apt-get update,
# once per run (GRIDLOOP_APT_UPDATED says it ran; .ci/run sets it). Not root: die naming the package, since
# nothing else can install it.
apt_ready() {
  ((EUID == 0)) || die "$1 not found, and installing it needs root: sudo apt-get install $2"
  export DEBIAN_FRONTEND=noninteractive
  if [[ -z ${GRIDLOOP_APT_UPDATED:-} ]]; then
    log "apt-get update"
    apt-get update -qq
    export GRIDLOOP_APT_UPDATED=1
  fi
}

# The project's Python, for helper scripts (aiokafka round trip, HTTP readiness).
require_venv() {
  [[ -x $GRIDLOOP_PY ]] || die "no virtualenv at $GRIDLOOP_ROOT/.venv: run scripts/bootstrap.sh (or make install)"
}
