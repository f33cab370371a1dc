#!/usr/bin/env bash
# promtool, with which the unit tests check deploy/prometheus (its config, alert rules and their tests).
#
#   scripts/promtool.sh install   when no promtool is on PATH: apt-get install prometheus (Debian ships
#                                 promtool in the prometheus package); not root: fail naming the package
#   scripts/promtool.sh path      print promtool's path; exit 1 when there is none
#
# `make unit` (and so `make test`) runs `install` first, as `make up` provisions PostgreSQL and Kafka.
# The package also brings the Prometheus server, which a host running systemd starts on :9090.
set -euo pipefail
# shellcheck disable=SC2034  # read by lib/common.sh
GRIDLOOP_LOG_TAG=promtool
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

PACKAGE=prometheus

cmd_path() {
  command -v promtool
}

cmd_install() {
  cmd_path >/dev/null && return 0
  apt_ready promtool "$PACKAGE"
  log "installing $PACKAGE (Debian package) for promtool"
  apt-get install -y -qq --no-install-recommends "$PACKAGE" >/dev/null
  cmd_path >/dev/null || die "$PACKAGE installed but no promtool on PATH ($PATH)"
  log "ready: $(promtool --version 2>&1 | head -n1)"
}

main() {
  case "${1:-}" in
    install | path) "cmd_$1" ;;
    *)
      sed -n '2,9s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
      exit 2
      ;;
  esac
}

main "$@"
