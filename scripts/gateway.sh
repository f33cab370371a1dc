#!/usr/bin/env bash
# The gateway: a private nginx (Debian's package) serving the console's build and routing /api/<service>/
# to the services, from deploy/nginx/gridloop.conf.tmpl. Its prefix is $GRIDLOOP_RUN_DIR/nginx.
#
#   scripts/gateway.sh install   apt-get install nginx when no nginx is found (root)
#   scripts/gateway.sh config    render the config into the prefix and check it (nginx -t)
#   scripts/gateway.sh start     config, then start (no-op if running)
#   scripts/gateway.sh stop      graceful stop (QUIT, TERM after 10 s)
#   scripts/gateway.sh status
#   scripts/gateway.sh url       print the console's URL
#
# GATEWAY_PORT (dev 8080, test 18080) and CONSOLE_PORT (dev 8005, test 18005) follow the profile like the
# other ports; INTAKE_PORT, HANDLING_PORT, SCORING_PORT come from scripts/lib/common.sh.
set -euo pipefail
# shellcheck disable=SC2034  # read by lib/common.sh
GRIDLOOP_LOG_TAG=gateway
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

case "${GRIDLOOP_PROFILE:-dev}" in
  test) : "${GATEWAY_PORT:=18080}" "${CONSOLE_PORT:=18005}" ;;
  *) : "${GATEWAY_PORT:=8080}" "${CONSOLE_PORT:=8005}" ;;
esac
export GATEWAY_PORT CONSOLE_PORT

PREFIX="$GRIDLOOP_RUN_DIR/nginx"
CONF="$PREFIX/nginx.conf"
PIDFILE="$PREFIX/nginx.pid"
TEMPLATE="$GRIDLOOP_ROOT/deploy/nginx/gridloop.conf.tmpl"
: "${CONSOLE_ROOT:=$GRIDLOOP_ROOT/services/console/web/dist}"
NGINX_LOG="$LOG_DIR/gateway.log"

nginx_bin() { command -v nginx || { [[ -x /usr/sbin/nginx ]] && echo /usr/sbin/nginx; }; }

# nginx refuses to drop privileges it does not have and keeps them when it does: as root it runs as
# Debian's www-data (made by the nginx package), as anyone else as that user.
run_user() {
  if ((EUID == 0)); then echo www-data; else id -un; fi
}

as_run_user() {
  if ((EUID == 0)); then
    (cd / && runuser -u "$(run_user)" -- "$@")
  else
    (cd / && "$@")
  fi
}

cmd_install() {
  nginx_bin >/dev/null && return 0
  ((EUID == 0)) || die "nginx not installed and not root: sudo apt-get install nginx-light (or nginx)"
  export DEBIAN_FRONTEND=noninteractive
  if [[ -z ${GRIDLOOP_APT_UPDATED:-} ]]; then
    log "apt-get update"
    apt-get update -qq
  fi
  log "installing nginx (Debian packages)"
  apt-get install -y -qq --no-install-recommends nginx >/dev/null
  nginx_bin >/dev/null || die "nginx installed but not found"
}

# Every directory above a path must be traversable by the run user (the checkout may sit under /root).
ensure_traversable() {
  local dir=$1
  ((EUID == 0)) || return 0
  while [[ $dir != / ]]; do
    if ! runuser -u "$(run_user)" -- test -x "$dir" 2>/dev/null; then
      log "chmod o+x $dir (so $(run_user) can reach it)"
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
}

# The template's placeholders for this machine: everything on 127.0.0.1.
render_server_block() {
  sed -e "s|\${GATEWAY_LISTEN}|127.0.0.1:$GATEWAY_PORT|g" \
    -e "s|\${CONSOLE_ROOT}|$CONSOLE_ROOT|g" \
    -e "s|\${CONSOLE_UPSTREAM}|127.0.0.1:$CONSOLE_PORT|g" \
    -e "s|\${INTAKE_UPSTREAM}|127.0.0.1:$INTAKE_PORT|g" \
    -e "s|\${HANDLING_UPSTREAM}|127.0.0.1:$HANDLING_PORT|g" \
    -e "s|\${SCORING_UPSTREAM}|127.0.0.1:$SCORING_PORT|g" \
    "$TEMPLATE"
}

cmd_config() {
  cmd_install
  mkdir -p "$PREFIX/tmp" "$LOG_DIR"
  touch "$NGINX_LOG"
  render_server_block >"$PREFIX/gridloop.conf"
  grep -q '\${' "$PREFIX/gridloop.conf" && die "unfilled placeholder in $PREFIX/gridloop.conf: $(grep -o '\${[A-Z_]*}' "$PREFIX/gridloop.conf" | head -n1)"
  cat >"$CONF" <<CONF
# Rendered by scripts/gateway.sh; edit deploy/nginx/gridloop.conf.tmpl instead.
worker_processes 1;
pid $PIDFILE;
error_log $NGINX_LOG warn;
events { worker_connections 1024; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log $LOG_DIR/gateway-access.log;
    client_body_temp_path $PREFIX/tmp/body;
    proxy_temp_path $PREFIX/tmp/proxy;
    fastcgi_temp_path $PREFIX/tmp/fastcgi;
    uwsgi_temp_path $PREFIX/tmp/uwsgi;
    scgi_temp_path $PREFIX/tmp/scgi;
    include $PREFIX/gridloop.conf;
}
CONF
  if ((EUID == 0)); then
    chown -R "$(run_user):" "$PREFIX"
    touch "$LOG_DIR/gateway-access.log"
    chown "$(run_user):" "$NGINX_LOG" "$LOG_DIR/gateway-access.log"
    ensure_traversable "$PREFIX"
    ensure_traversable "$CONSOLE_ROOT"
  fi
  as_run_user "$(nginx_bin)" -q -t -p "$PREFIX" -c "$CONF" 2>>"$NGINX_LOG" ||
    { log_tail "$NGINX_LOG" 10; die "nginx refused $CONF"; }
}

running() { pid_alive "$PIDFILE" nginx; }

cmd_start() {
  if running; then
    log "already running on 127.0.0.1:$GATEWAY_PORT (pid $(<"$PIDFILE"))"
    return 0
  fi
  [[ -f $CONSOLE_ROOT/index.html ]] || log "no console build at $CONSOLE_ROOT (scripts/console_web.sh build): / will answer 404"
  port_open "$GATEWAY_PORT" && die "127.0.0.1:$GATEWAY_PORT is taken by another process: free it or set GATEWAY_PORT"
  cmd_config
  as_run_user "$(nginx_bin)" -p "$PREFIX" -c "$CONF" 2>>"$NGINX_LOG" ||
    { log_tail "$NGINX_LOG" 10; die "nginx did not start: see $NGINX_LOG"; }
  local i
  for ((i = 0; i < 50; i++)); do
    port_open "$GATEWAY_PORT" && break
    sleep 0.1
  done
  port_open "$GATEWAY_PORT" || { log_tail "$NGINX_LOG" 10; die "nginx not listening on $GATEWAY_PORT"; }
  log "started on http://127.0.0.1:$GATEWAY_PORT/ (pid $(<"$PIDFILE")), log ${NGINX_LOG#"$GRIDLOOP_ROOT"/}"
}

cmd_stop() {
  running || { rm -f "$PIDFILE"; return 0; }
  local pid i
  pid=$(<"$PIDFILE")
  log "stopping (pid $pid)"
  # QUIT lets open requests finish; live streams do not end by themselves, hence TERM after a while.
  kill -QUIT "$pid" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  rm -f "$PIDFILE"
}

cmd_status() {
  if running; then
    echo "gateway   running  pid $(<"$PIDFILE")  $(cmd_url)  log $NGINX_LOG"
  else
    echo "gateway   stopped  ($(cmd_url))"
    return 3
  fi
}

cmd_url() { echo "http://127.0.0.1:$GATEWAY_PORT/"; }

main() {
  case "${1:-}" in
    install | config | start | stop | status | url) "cmd_$1" ;;
    *)
      sed -n '2,13s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
      exit 2
      ;;
  esac
}

main "$@"
