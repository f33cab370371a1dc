#!/usr/bin/env bash
# Private PostgreSQL cluster for local development and tests, from Debian's packages.
#
#   scripts/postgres.sh install   apt-get install postgresql when no initdb is found
#   scripts/postgres.sh init      initdb into $GRIDLOOP_RUN_DIR/pgdata (once)
#   scripts/postgres.sh start     init if needed, start, ensure role + database gridloop (no-op if running)
#   scripts/postgres.sh stop      fast shutdown (data kept)
#   scripts/postgres.sh wait      until `select 1` works as gridloop over TCP (PG_WAIT_TIMEOUT, 60 s)
#   scripts/postgres.sh status
#   scripts/postgres.sh url       print the DATABASE_URL
#
# With DATABASE_URL set, the database is someone else's: every subcommand but wait/url does nothing.
# The server refuses to run as root, so as root it runs as the `postgres` system user (or `gridloop`,
# created when neither exists); as an ordinary user it runs as that user.
set -euo pipefail
# shellcheck disable=SC2034  # read by lib/common.sh
GRIDLOOP_LOG_TAG=postgres
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

PGDATA_DIR="$GRIDLOOP_RUN_DIR/pgdata"
PG_LOG="$LOG_DIR/postgres.log"
: "${PG_WAIT_TIMEOUT:=60}"
PG_DB=gridloop PG_ROLE=gridloop PG_PASSWORD=gridloop
PG_SUPERUSER=postgres
LOCAL_URL="postgresql://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"

# Unix sockets have a ~107 byte path limit; a deeply nested checkout falls back to /tmp.
PG_SOCKET_DIR="$GRIDLOOP_RUN_DIR/pgsock"
if ((${#PG_SOCKET_DIR} > 80)); then
  PG_SOCKET_DIR="/tmp/gridloop-pgsock-$PG_PORT"
fi

external() { [[ -n ${DATABASE_URL:-} ]]; }

# Newest installed server version's bin dir, e.g. /usr/lib/postgresql/15/bin.
pg_bin() {
  local dir
  dir=$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/initdb' 2>/dev/null | sort -V | tail -n1)
  [[ -n $dir ]] && dirname "$dir"
}

# The OS user that owns and runs the cluster.
pg_os_user() {
  if ((EUID != 0)); then
    id -un
  elif id postgres >/dev/null 2>&1; then
    echo postgres
  else
    echo gridloop
  fi
}

# Run a command as the cluster's OS user, from / (its home may be unreadable for it, e.g. /root).
as_pg() {
  local user
  user=$(pg_os_user)
  if ((EUID == 0)); then
    (cd / && runuser -u "$user" -- "$@")
  else
    (cd / && "$@")
  fi
}

# --- install ------------------------------------------------------------------------------------------
cmd_install() {
  external && return 0
  if pg_bin >/dev/null; then
    return 0
  fi
  apt_ready "PostgreSQL server (initdb)" postgresql
  # postgresql-common first, told not to create (and start) the system-wide `main` cluster on 5432:
  # we only want the binaries; our cluster is private to the run dir.
  log "installing postgresql (Debian packages)"
  apt-get install -y -qq postgresql-common >/dev/null
  if [[ -f /etc/postgresql-common/createcluster.conf ]]; then
    sed -i 's/^#\?\s*create_main_cluster\s*=.*/create_main_cluster = false/' /etc/postgresql-common/createcluster.conf
  fi
  apt-get install -y -qq postgresql >/dev/null
  pg_bin >/dev/null || die "postgresql installed but no /usr/lib/postgresql/*/bin/initdb found"
}

# Every directory above the data dir must be traversable (x) by the cluster's user, or initdb/postgres
# cannot reach it. Adds o+x (not r) only where it is missing, and says so.
ensure_traversable() {
  local user=$1 dir=$2
  ((EUID == 0)) || return 0
  while [[ $dir != / ]]; do
    if ! runuser -u "$user" -- test -x "$dir" 2>/dev/null; then
      log "chmod o+x $dir (so $user can reach the run dir)"
      chmod o+x "$dir"
    fi
    dir=$(dirname "$dir")
  done
}

ensure_os_user() {
  local user
  user=$(pg_os_user)
  if ! id "$user" >/dev/null 2>&1; then
    log "creating system user $user"
    useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
  fi
}

# Directories the server writes: data, socket, its log file. Owned by the cluster's user.
prepare_dirs() {
  local user
  user=$(pg_os_user)
  mkdir -p "$GRIDLOOP_RUN_DIR" "$LOG_DIR" "$PGDATA_DIR" "$PG_SOCKET_DIR"
  touch "$PG_LOG"
  if ((EUID == 0)); then
    chown "$user:" "$PGDATA_DIR" "$PG_SOCKET_DIR" "$PG_LOG"
    ensure_traversable "$user" "$GRIDLOOP_RUN_DIR"
    ensure_traversable "$user" "$(dirname "$PG_SOCKET_DIR")"
  fi
  chmod 700 "$PGDATA_DIR" "$PG_SOCKET_DIR"
}

# --- init ---------------------------------------------------------------------------------------------
cmd_init() {
  external && return 0
  cmd_install
  ensure_os_user
  prepare_dirs
  [[ -f $PGDATA_DIR/PG_VERSION ]] && return 0
  local bin
  bin=$(pg_bin)
  log "initdb ${PGDATA_DIR#"$GRIDLOOP_ROOT"/} ($(basename "$(dirname "$bin")"), superuser $PG_SUPERUSER)"
  # Local (socket) connections are trusted: the socket lives in a 0700 dir only the cluster's user (and
  # root) can enter. TCP needs a password (scram).
  as_pg "$bin/initdb" -D "$PGDATA_DIR" -U "$PG_SUPERUSER" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256 >>"$PG_LOG" 2>&1 ||
    { log_tail "$PG_LOG"; die "initdb failed"; }
  # Static settings; the port, address and socket dir are passed at start so they follow the env.
  cat >>"$PGDATA_DIR/postgresql.conf" <<'CONF'

# --- gridloop (scripts/postgres.sh) ---
max_connections = 200          # four services' pools plus test fixtures
fsync = on                     # durability tests mean it
unix_socket_permissions = 0700
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 1000
CONF
}

# --- start / stop -------------------------------------------------------------------------------------
pg_running() {
  local bin
  bin=$(pg_bin) || return 1
  [[ -f $PGDATA_DIR/postmaster.pid ]] || return 1
  as_pg "$bin/pg_ctl" status -D "$PGDATA_DIR" >/dev/null 2>&1
}

# psql as the superuser over the private socket.
psql_super() {
  as_pg "$(pg_bin)/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_SOCKET_DIR" -p "$PG_PORT" -U "$PG_SUPERUSER" "$@"
}

ensure_role_and_db() {
  psql_super -d postgres <<SQL
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$PG_ROLE') THEN
    CREATE ROLE $PG_ROLE LOGIN PASSWORD '$PG_PASSWORD';
  END IF;
END
\$\$;
SQL
  if [[ -z $(psql_super -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'") ]]; then
    log "creating database $PG_DB"
    psql_super -d postgres -c "CREATE DATABASE $PG_DB OWNER $PG_ROLE"
  fi
}

cmd_start() {
  external && return 0
  if pg_running; then
    log "already running (127.0.0.1:$PG_PORT)"
    return 0
  fi
  cmd_init
  prepare_dirs
  port_open "$PG_PORT" && die "127.0.0.1:$PG_PORT is already taken by another process: free it or set PG_PORT"
  log "starting on 127.0.0.1:$PG_PORT, log ${PG_LOG#"$GRIDLOOP_ROOT"/}"
  as_pg "$(pg_bin)/pg_ctl" start -D "$PGDATA_DIR" -l "$PG_LOG" -w -t 60 -s \
    -o "-c port=$PG_PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$PG_SOCKET_DIR" ||
    { log_tail "$PG_LOG"; die "PostgreSQL did not start: see $PG_LOG"; }
  ensure_role_and_db
}

cmd_stop() {
  external && return 0
  pg_running || return 0
  log "stopping"
  as_pg "$(pg_bin)/pg_ctl" stop -D "$PGDATA_DIR" -m fast -w -t 60 -s
}

# --- readiness ----------------------------------------------------------------------------------------
# A query as the application role over TCP: proves server, password auth and database all at once.
probe() {
  local url=$1 psql
  psql=$(command -v psql || { b=$(pg_bin) && echo "$b/psql"; } || true)
  if [[ -n $psql && -x $psql ]]; then
    PGCONNECT_TIMEOUT=3 "$psql" -X -qtA "$url" -c 'select 1' >/dev/null 2>&1
  else
    require_venv
    "$GRIDLOOP_PY" - "$url" <<'PY' >/dev/null 2>&1
import asyncio, sys
import asyncpg
async def main():
    conn = await asyncpg.connect(sys.argv[1], timeout=3)
    try:
        await conn.fetchval("select 1")
    finally:
        await conn.close()
asyncio.run(main())
PY
  fi
}

cmd_wait() {
  local url deadline
  url=$(cmd_url)
  deadline=$((SECONDS + PG_WAIT_TIMEOUT))
  until probe "$url"; do
    if ((SECONDS >= deadline)); then
      external || log_tail "$PG_LOG"
      die "PostgreSQL not ready after ${PG_WAIT_TIMEOUT}s (${url%%@*}@…${url#*@})${DATABASE_URL:+ [DATABASE_URL]}: see $PG_LOG"
    fi
    sleep 1
  done
  log "ready: select 1 as $PG_ROLE on ${url#*@}"
}

cmd_status() {
  if external; then
    echo "postgres  external (DATABASE_URL)"
  elif pg_running; then
    echo "postgres  running  127.0.0.1:$PG_PORT  data $PGDATA_DIR  log $PG_LOG"
  else
    echo "postgres  stopped  (127.0.0.1:$PG_PORT, data $PGDATA_DIR)"
    return 3
  fi
}

cmd_url() {
  if external; then echo "$DATABASE_URL"; else echo "$LOCAL_URL"; fi
}

main() {
  case "${1:-}" in
    install | init | start | stop | wait | status | url) "cmd_$1" ;;
    *)
      sed -n '2,15s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
      exit 2
      ;;
  esac
}

main "$@"
