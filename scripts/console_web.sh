#!/usr/bin/env bash
# The console's web front end (services/console/web): Vue 3 + TypeScript + Vite, from its committed lock.
#
#   scripts/console_web.sh deps        npm ci when package-lock.json changed since the last install
#   scripts/console_web.sh build       deps, then type-check + vite build + size check when the sources changed
#   scripts/console_web.sh test        deps, then the Vitest component and store tests
#   scripts/console_web.sh typecheck   deps, then vue-tsc
#   scripts/console_web.sh dist        print the build's directory
#
# Needs Node 20.19+ and npm (Debian: apt-get install nodejs npm). Nothing is fetched at run time: the
# build holds every asset the console uses.
set -euo pipefail
# shellcheck disable=SC2034  # read by lib/common.sh
GRIDLOOP_LOG_TAG=console-web
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

WEB_DIR="$GRIDLOOP_ROOT/services/console/web"
DIST_DIR="$WEB_DIR/dist"
DEPS_STAMP="$WEB_DIR/node_modules/.gridloop-lock.sha256"
BUILD_STAMP="$DIST_DIR/.gridloop-sources.sha256"

require_node() {
  command -v node >/dev/null && command -v npm >/dev/null ||
    die "node and npm are needed for the console (Debian: apt-get install nodejs npm)"
  # Vite 8 needs Node 20.19 or newer.
  node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' ||
    die "the console needs Node 20.19 or newer, found $(node --version)"
}

lock_hash() { sha256sum "$WEB_DIR/package-lock.json" | cut -d' ' -f1; }

# Everything the build reads, hashed: a changed, added or removed source rebuilds.
sources_hash() {
  (
    cd "$WEB_DIR"
    find src index.html package.json package-lock.json tsconfig.json vite.config.ts -type f -print0 |
      sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1
  )
}

cmd_deps() {
  require_node
  if [[ -f $DEPS_STAMP && $(<"$DEPS_STAMP") == "$(lock_hash)" ]]; then
    return 0
  fi
  log "npm ci ($(node --version), npm $(npm --version))"
  (cd "$WEB_DIR" && npm ci --no-audit --no-fund --loglevel=error)
  lock_hash >"$DEPS_STAMP"
}

cmd_build() {
  cmd_deps
  local wanted
  wanted=$(sources_hash)
  if [[ -f $BUILD_STAMP && $(<"$BUILD_STAMP") == "$wanted" && -f $DIST_DIR/index.html ]]; then
    log "build up to date ($DIST_DIR)"
    return 0
  fi
  log "building the console"
  (cd "$WEB_DIR" && npm run --silent build)
  echo "$wanted" >"$BUILD_STAMP"
}

cmd_test() {
  cmd_deps
  (cd "$WEB_DIR" && npx --no-install vitest run)
}

cmd_typecheck() {
  cmd_deps
  (cd "$WEB_DIR" && npx --no-install vue-tsc --noEmit)
}

main() {
  case "${1:-}" in
    deps | build | test | typecheck) "cmd_$1" ;;
    dist) echo "$DIST_DIR" ;;
    *)
      sed -n '2,11s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
      exit 2
      ;;
  esac
}

main "$@"
