#!/usr/bin/env bash
# Python environment: .venv with the locked dependencies and the project itself (editable, no deps).
# Idempotent: safe to re-run after requirements.lock changes. Needs python3 >= 3.11 with venv.
set -euo pipefail
# shellcheck disable=SC2034  # read by lib/common.sh
GRIDLOOP_LOG_TAG=bootstrap
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$GRIDLOOP_ROOT"

PYTHON=${PYTHON:-python3}
command -v "$PYTHON" >/dev/null || die "$PYTHON not found (apt-get install python3 python3-venv)"
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
  die "$("$PYTHON" -V 2>&1) is too old: gridloop needs Python >= 3.11"

if [[ ! -x .venv/bin/python ]]; then
  log "creating .venv with $("$PYTHON" -V 2>&1)"
  "$PYTHON" -m venv .venv || die "python3 -m venv failed (Debian: apt-get install python3-venv)"
fi

# uv installs the ~240 locked packages in seconds where pip takes minutes; it is itself a PyPI wheel.
if [[ ! -x .venv/bin/uv ]]; then
  log "installing uv into .venv"
  .venv/bin/python -m pip install -q --disable-pip-version-check uv
fi

# uv trusts its own bundled certificate roots by default; a city network's registry mirror or TLS proxy is
# usually trusted only in the system store, where pip and curl look. Use the system store, as they do.
export UV_NATIVE_TLS=1
log "syncing .venv with requirements.lock"
.venv/bin/uv pip install -q --python .venv/bin/python -r requirements.lock
.venv/bin/uv pip install -q --python .venv/bin/python --no-deps -e .
# Stamp for the Makefile: synced against this lock.
touch .venv/.synced
log "done: $(.venv/bin/python -V)"
