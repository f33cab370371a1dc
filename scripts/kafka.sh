#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft) from Maven Central jars, no Docker.
#
#   scripts/kafka.sh fetch    resolve the broker's jars into .cache/kafka/<version>/libs (once)
#   scripts/kafka.sh format   render the config and format the log dir (once per data dir)
#   scripts/kafka.sh start    fetch + format if needed, start the broker in the background (no-op if running)
#   scripts/kafka.sh stop     SIGTERM (controlled shutdown), SIGKILL after 30 s
#   scripts/kafka.sh wait     until a real produce/consume round trip succeeds (KAFKA_WAIT_TIMEOUT, 90 s)
#   scripts/kafka.sh status   running or not, where
#   scripts/kafka.sh topics [TopicCommand args]   default: --list
#
# A broker is "ours" when its command line names our rendered config (pid files can go stale).
# Ports, run dir and profile: scripts/lib/common.sh. Version and why: scripts/kafka/README.md.
set -euo pipefail
# shellcheck disable=SC2034  # read by lib/common.sh
GRIDLOOP_LOG_TAG=kafka
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

KAFKA_CACHE="$GRIDLOOP_ROOT/.cache/kafka/$KAFKA_VERSION"
KAFKA_LIBS="$KAFKA_CACHE/libs"
KAFKA_HOME="$GRIDLOOP_RUN_DIR/kafka"
KAFKA_DATA_DIR="$KAFKA_HOME/data"
KAFKA_CONFIG="$KAFKA_HOME/server.properties"
KAFKA_LOG="$LOG_DIR/kafka.log"
KAFKA_PIDFILE="$PID_DIR/kafka.pid"
KAFKA_MAIN=kafka.Kafka
: "${KAFKA_HEAP_OPTS:=-Xmx512m -Xms256m}"
: "${KAFKA_WAIT_TIMEOUT:=90}"

java_bin() {
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
    echo "$JAVA_HOME/bin/java"
  else
    command -v java || die "java not found: Kafka $KAFKA_VERSION needs Java 17+ (apt-get install openjdk-17-jre-headless)"
  fi
}

check_java() {
  local java major
  java=$(java_bin)
  # `java -version` prints e.g. 'openjdk version "17.0.15"' on stderr.
  major=$("$java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
  [[ -n $major && $major -ge 17 ]] || die "Kafka 4.x needs Java 17+, $java is version '${major:-unknown}'"
}

# --- fetch -----------------------------------------------------------------------------------------------
# Maven resolves kafka_2.13 and its runtime closure; copied into a temp dir and renamed, so an interrupted
# fetch never leaves a half-filled libs dir that looks complete.
cmd_fetch() {
  if [[ -f $KAFKA_LIBS/.complete ]]; then
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found (apt-get install maven)"
  log "resolving Kafka $KAFKA_VERSION from Maven Central into ${KAFKA_LIBS#"$GRIDLOOP_ROOT"/}"
  mkdir -p "$KAFKA_CACHE"
  local tmp="$KAFKA_CACHE/libs.tmp.$$"
  rm -rf "$tmp"
  local out="$KAFKA_CACHE/mvn.log"
  # Maven's output only matters when it fails (even -q prints colour resets on success).
  if ! mvn -q -B -Dstyle.color=never -f "$GRIDLOOP_ROOT/scripts/kafka/pom.xml" \
      -Dkafka.version="$KAFKA_VERSION" -Dkafka.libs="$tmp" dependency:copy-dependencies >"$out" 2>&1; then
    rm -rf "$tmp"
    log_tail "$out" 40
    die "Maven could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION (full output: $out)"
  fi
  [[ -f $tmp/kafka_2.13-$KAFKA_VERSION.jar ]] || die "kafka_2.13-$KAFKA_VERSION.jar missing after resolution"
  touch "$tmp/.complete"
  rm -rf "$KAFKA_LIBS"
  mv "$tmp" "$KAFKA_LIBS"
  log "$(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars in ${KAFKA_LIBS#"$GRIDLOOP_ROOT"/}"
}

# Run a Kafka CLI main class on the cached classpath; our log4j2 config at WARN keeps the tool's own
# client config dumps out of the way.
kafka_java() {
  local main=$1
  shift
  "$(java_bin)" -Xmx256m -cp "$KAFKA_LIBS/*" \
    -Dlog4j2.configurationFile="$GRIDLOOP_ROOT/deploy/kafka/log4j2.properties" -Dgridloop.kafka.loglevel=WARN \
    "$main" "$@"
}

# --- config & format ----------------------------------------------------------------------------------
render_config() {
  mkdir -p "$KAFKA_HOME" "$LOG_DIR" "$PID_DIR"
  sed -e "s|@KAFKA_PORT@|$KAFKA_PORT|g" \
      -e "s|@KAFKA_CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" \
      -e "s|@KAFKA_DATA_DIR@|$KAFKA_DATA_DIR|g" \
      "$GRIDLOOP_ROOT/deploy/kafka/server.properties.tmpl" >"$KAFKA_CONFIG.tmp"
  mv "$KAFKA_CONFIG.tmp" "$KAFKA_CONFIG"
}

cmd_format() {
  cmd_fetch
  check_java
  render_config
  if [[ -f $KAFKA_DATA_DIR/meta.properties ]]; then
    return 0
  fi
  local cluster_id
  cluster_id=$(kafka_java kafka.tools.StorageTool random-uuid 2>>"$KAFKA_LOG")
  log "formatting ${KAFKA_DATA_DIR#"$GRIDLOOP_ROOT"/} (cluster id $cluster_id)"
  # Static voters (controller.quorum.voters) in the template: no --standalone here.
  kafka_java kafka.tools.StorageTool format -t "$cluster_id" -c "$KAFKA_CONFIG" >>"$KAFKA_LOG" 2>&1 ||
    { log_tail "$KAFKA_LOG"; die "formatting the Kafka log dir failed"; }
}

# --- start / stop -------------------------------------------------------------------------------------
cmd_start() {
  if pid_alive "$KAFKA_PIDFILE" "$KAFKA_CONFIG"; then
    log "already running (pid $(<"$KAFKA_PIDFILE"), 127.0.0.1:$KAFKA_PORT)"
    return 0
  fi
  cmd_format
  local port
  for port in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    port_open "$port" && die "127.0.0.1:$port is already taken by another process (not our broker): free it or set KAFKA_PORT/KAFKA_CONTROLLER_PORT"
  done
  printf '\n===== %s starting Kafka %s =====\n' "$(date -Is)" "$KAFKA_VERSION" >>"$KAFKA_LOG"
  # setsid: the broker outlives the shell that started it and ignores its Ctrl-C.
  # shellcheck disable=SC2086  # KAFKA_HEAP_OPTS is a list of JVM flags
  setsid nohup "$(java_bin)" $KAFKA_HEAP_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$GRIDLOOP_ROOT/deploy/kafka/log4j2.properties" \
    -cp "$KAFKA_LIBS/*" "$KAFKA_MAIN" "$KAFKA_CONFIG" >>"$KAFKA_LOG" 2>&1 </dev/null &
  echo $! >"$KAFKA_PIDFILE"
  log "started Kafka $KAFKA_VERSION (pid $!) on 127.0.0.1:$KAFKA_PORT, log ${KAFKA_LOG#"$GRIDLOOP_ROOT"/}"
}

cmd_stop() {
  # Controlled shutdown of a combined node takes a few seconds; give it 30 before SIGKILL.
  stop_pid "$KAFKA_PIDFILE" kafka 30 "$KAFKA_CONFIG"
}

# --- readiness ------------------------------------------------------------------------------------------
# An open port is not a ready broker: retry a real produce + consume + group commit until it works.
cmd_wait() {
  require_venv
  local deadline=$((SECONDS + KAFKA_WAIT_TIMEOUT)) attempt=0 err
  err=$(mktemp)
  while :; do
    attempt=$((attempt + 1))
    if "$GRIDLOOP_PY" "$GRIDLOOP_ROOT/scripts/kafka_roundtrip.py" \
        --bootstrap "127.0.0.1:$KAFKA_PORT" --timeout 15 2>"$err"; then
      rm -f "$err"
      log "ready: round trip through 127.0.0.1:$KAFKA_PORT ok (attempt $attempt)"
      return 0
    fi
    # A broker we started that died will never become ready: say so at once.
    if [[ -f $KAFKA_PIDFILE ]] && ! pid_alive "$KAFKA_PIDFILE" "$KAFKA_CONFIG"; then
      log_tail "$KAFKA_LOG" 40
      rm -f "$err"
      die "Kafka exited during startup: see $KAFKA_LOG"
    fi
    if ((SECONDS >= deadline)); then
      sed 's/^/  roundtrip: /' "$err" >&2
      rm -f "$err"
      log_tail "$KAFKA_LOG" 40
      die "Kafka on 127.0.0.1:$KAFKA_PORT not ready after ${KAFKA_WAIT_TIMEOUT}s: see $KAFKA_LOG"
    fi
    sleep 1
  done
}

cmd_status() {
  if pid_alive "$KAFKA_PIDFILE" "$KAFKA_CONFIG"; then
    echo "kafka     running  pid $(<"$KAFKA_PIDFILE")  127.0.0.1:$KAFKA_PORT (controller $KAFKA_CONTROLLER_PORT)  v$KAFKA_VERSION  log $KAFKA_LOG"
  else
    echo "kafka     stopped  (127.0.0.1:$KAFKA_PORT, data $KAFKA_DATA_DIR)"
    return 3
  fi
}

# org.apache.kafka.tools.TopicCommand comes with the kafka-tools jar (resolved with the broker).
cmd_topics() {
  cmd_fetch
  check_java
  if (($# == 0)); then set -- --list; fi
  kafka_java org.apache.kafka.tools.TopicCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" "$@"
}

main() {
  local cmd=${1:-}
  shift || true
  case "$cmd" in
    fetch | format | start | stop | wait | status) "cmd_$cmd" ;;
    topics) cmd_topics "$@" ;;
    *)
      sed -n '2,12s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
      exit 2
      ;;
  esac
}

main "$@"
