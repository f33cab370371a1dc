#!/usr/bin/env bash
# The whole local stack: Kafka + PostgreSQL (infra), the five services and the gateway.
#
#   scripts/stack.sh infra-up     provision what is missing (venv, Kafka jars, PostgreSQL), start and wait
#   scripts/stack.sh infra-down   stop Kafka and PostgreSQL (data kept)
#   scripts/stack.sh up           infra-up, then start intake, dispatch, handling, scoring, console and wait for
#                                 /readyz (the console's signing key pair made first if absent, the demo passwords
#                                 set); build the console's web app if its sources changed, start the gateway (nginx)
#   scripts/stack.sh down         stop the gateway, services (SIGTERM, SIGKILL after 10 s), Kafka, PostgreSQL; keep data
#   scripts/stack.sh services-down  stop only the five services (the end-to-end tests' teardown)
#   scripts/stack.sh clean        down, then delete $GRIDLOOP_RUN_DIR
#   scripts/stack.sh status
#   scripts/stack.sh run CMD...   run CMD in the services' environment (ports, Kafka, DATABASE_URL): `make bench`
#
# GRIDLOOP_PROFILE=test selects the test stack's ports and run dir (docs/ARCHITECTURE.md); any port or
# GRIDLOOP_RUN_DIR set in the environment wins. SLA_SCALE scales dispatch's SLA clocks (default 1).
set -euo pipefail
# shellcheck disable=SC2034  # read by lib/common.sh
GRIDLOOP_LOG_TAG=stack
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$GRIDLOOP_ROOT"

SCRIPTS="$GRIDLOOP_ROOT/scripts"
SERVICES=(intake dispatch handling scoring console)
: "${SERVICE_WAIT_TIMEOUT:=90}"

service_port() {
  local var="${1^^}_PORT"
  echo "${!var}"
}
service_pidfile() { echo "$PID_DIR/$1.pid"; }
service_log() { echo "$LOG_DIR/$1.log"; }
# What a service's command line contains, to tell our process from a reused pid.
service_pattern() { echo "services.$1"; }
KEY_DIR="$GRIDLOOP_RUN_DIR/keys"
# The people of the sample city sign in to the console with this (services/console/README.md).
DEMO_SIGN_IN="sv-yancheng / gridloop-demo"

# --- infra ----------------------------------------------------------------------------------------------
cmd_infra_up() {
  local started=$SECONDS
  mkdir -p "$LOG_DIR" "$PID_DIR"
  # The stamp, not the interpreter: a first run cut off mid-install leaves a .venv without its packages.
  local stamp="$GRIDLOOP_ROOT/.venv/.synced"
  if [[ ! -f $stamp || requirements.lock -nt $stamp || pyproject.toml -nt $stamp ]]; then
    "$SCRIPTS/bootstrap.sh"
  fi
  "$SCRIPTS/kafka.sh" fetch
  "$SCRIPTS/postgres.sh" install
  # Start both before waiting for either: Kafka's JVM warms up while PostgreSQL starts.
  "$SCRIPTS/kafka.sh" start
  "$SCRIPTS/postgres.sh" start
  "$SCRIPTS/kafka.sh" wait
  "$SCRIPTS/postgres.sh" wait
  log "infra up in $((SECONDS - started))s: Kafka 127.0.0.1:$KAFKA_PORT, $("$SCRIPTS/postgres.sh" url)"
}

cmd_infra_down() {
  "$SCRIPTS/kafka.sh" stop
  "$SCRIPTS/postgres.sh" stop
}

# --- services -------------------------------------------------------------------------------------------
# The environment contract every service reads (docs/ARCHITECTURE.md "Local ports and environment").
export_service_env() {
  export GRIDLOOP_ENV=dev
  export GRIDLOOP_RUN_DIR
  export GRIDLOOP_KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
  DATABASE_URL=$("$SCRIPTS/postgres.sh" url)
  export DATABASE_URL
  export GRIDLOOP_CITY_DIR="$GRIDLOOP_ROOT/city"
  export GRIDLOOP_INTAKE_PORT="$INTAKE_PORT" GRIDLOOP_DISPATCH_PORT="$DISPATCH_PORT"
  export GRIDLOOP_HANDLING_PORT="$HANDLING_PORT" GRIDLOOP_SCORING_PORT="$SCORING_PORT"
  export GRIDLOOP_CONSOLE_PORT="$CONSOLE_PORT"
  export GRIDLOOP_DISPATCH_SLA_SCALE="${SLA_SCALE:-1}"
  # The console signs people's access tokens with the private key; every service checks them with the public.
  export GRIDLOOP_CONSOLE_SIGNING_KEY_FILE="$KEY_DIR/console-signing-key.pem"
  export GRIDLOOP_AUTH_PUBLIC_KEY_FILE="$KEY_DIR/console-public-key.pem"
}

start_service() {
  local name=$1 pidfile logfile
  pidfile=$(service_pidfile "$name")
  logfile=$(service_log "$name")
  if pid_alive "$pidfile" "$(service_pattern "$name")"; then
    log "$name already running (pid $(<"$pidfile"))"
    return 0
  fi
  port_open "$(service_port "$name")" &&
    die "127.0.0.1:$(service_port "$name") is taken by another process: cannot start $name there"
  printf '\n===== %s starting %s =====\n' "$(date -Is)" "$name" >>"$logfile"
  # setsid + nohup: the service outlives this shell and ignores its Ctrl-C / hangup.
  setsid nohup "$GRIDLOOP_PY" -m "services.$name" >>"$logfile" 2>&1 </dev/null &
  echo $! >"$pidfile"
  log "started $name (pid $!) on 127.0.0.1:$(service_port "$name")"
}

wait_services() {
  local targets=() name failed
  for name in "${SERVICES[@]}"; do
    targets+=("$name=http://127.0.0.1:$(service_port "$name")/readyz=$(service_pidfile "$name")")
  done
  if failed=$("$GRIDLOOP_PY" "$SCRIPTS/wait_http.py" --timeout "$SERVICE_WAIT_TIMEOUT" "${targets[@]}"); then
    return 0
  fi
  for name in $failed; do
    log_tail "$(service_log "$name")" 25
  done
  die "not ready (reasons above): $(echo "$failed" | tr '\n' ' ')- logs in $LOG_DIR"
}

print_urls() {
  cat <<TXT

gridloop is up (profile ${GRIDLOOP_PROFILE:-dev}, run dir $GRIDLOOP_RUN_DIR)
  intake    http://127.0.0.1:$INTAKE_PORT/      metrics http://127.0.0.1:$INTAKE_PORT/metrics
  dispatch  http://127.0.0.1:$DISPATCH_PORT/      metrics http://127.0.0.1:$DISPATCH_PORT/metrics
  handling  http://127.0.0.1:$HANDLING_PORT/      metrics http://127.0.0.1:$HANDLING_PORT/metrics   API http://127.0.0.1:$HANDLING_PORT/v1/  (docs /docs)
  scoring   http://127.0.0.1:$SCORING_PORT/      metrics http://127.0.0.1:$SCORING_PORT/metrics   API http://127.0.0.1:$SCORING_PORT/v1/  (docs /docs)
  console   http://127.0.0.1:$CONSOLE_PORT/      metrics http://127.0.0.1:$CONSOLE_PORT/metrics   API http://127.0.0.1:$CONSOLE_PORT/v1/  (docs /docs)
  kafka     127.0.0.1:$KAFKA_PORT        postgres $("$SCRIPTS/postgres.sh" url)
  logs      $LOG_DIR/

console $("$SCRIPTS/gateway.sh" url)   sign in as $DEMO_SIGN_IN (anyone in city/people.yaml, same password)
TXT
}

cmd_up() {
  cmd_infra_up
  export_service_env
  "$GRIDLOOP_PY" -m services.console.keys "$KEY_DIR" >/dev/null
  local name
  for name in "${SERVICES[@]}"; do
    start_service "$name"
  done
  wait_services
  "$GRIDLOOP_PY" -m services.console.passwords seed-demo
  "$SCRIPTS/console_web.sh" build
  "$SCRIPTS/gateway.sh" start
  print_urls
}

stop_services() {
  local name
  for name in "${SERVICES[@]}"; do
    stop_pid "$(service_pidfile "$name")" "$name" 10 "$(service_pattern "$name")"
  done
}

cmd_down() {
  "$SCRIPTS/gateway.sh" stop
  stop_services
  cmd_infra_down
}

cmd_clean() {
  cmd_down
  # Refuse anything that is not plainly a run dir: this is an rm -rf on an environment variable.
  case "$GRIDLOOP_RUN_DIR" in
    / | "$HOME" | "$GRIDLOOP_ROOT" | "$GRIDLOOP_ROOT/" | "") die "refusing to delete GRIDLOOP_RUN_DIR=$GRIDLOOP_RUN_DIR" ;;
  esac
  log "deleting $GRIDLOOP_RUN_DIR"
  rm -rf "$GRIDLOOP_RUN_DIR"
}

cmd_status() {
  local rc=0 name pidfile
  "$SCRIPTS/kafka.sh" status || rc=1
  "$SCRIPTS/postgres.sh" status || rc=1
  "$SCRIPTS/gateway.sh" status || rc=1
  for name in "${SERVICES[@]}"; do
    pidfile=$(service_pidfile "$name")
    if pid_alive "$pidfile" "$(service_pattern "$name")"; then
      printf '%-9s running  pid %s  http://127.0.0.1:%s  log %s\n' "$name" "$(<"$pidfile")" \
        "$(service_port "$name")" "$(service_log "$name")"
    else
      printf '%-9s stopped\n' "$name"
      rc=1
    fi
  done
  return $rc
}

main() {
  case "${1:-}" in
    infra-up) cmd_infra_up ;;
    infra-down) cmd_infra_down ;;
    services-down) stop_services ;;
    run)
      shift
      (($# > 0)) || die "run what? scripts/stack.sh run CMD..."
      export_service_env
      exec "$@"
      ;;
    up | down | clean | status) "cmd_$1" ;;
    *)
      sed -n '2,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
      exit 2
      ;;
  esac
}

main "$@"
