#!/usr/bin/env bash
# Runs the tests in two rounds, passing its arguments to both (`-k name`, `-x`, a path...):
# 1. every test that may share the machine, spread over all its cores (pytest-xdist, a file per worker);
# 2. the tests marked `alone` (conftest.py, pyproject.toml), one at a time with nothing beside them:
#    they read a clock against a budget, or start a browser or a hub that loads every core.
# Both rounds always run; this fails when either failed. A round that selects nothing is not a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
pytest=(.venv/bin/python -m pytest --nbval-lax --nbval-current-env)
status=0
round() {
  "${pytest[@]}" "$@"
  local code=$?
  if ((code != 0 && code != 5)); then  # 5: no test was selected
    status=$code
  fi
}
round -n auto --dist loadfile -m "not alone" tests notebooks "$@"
round -p no:xdist -m alone tests notebooks "$@"
exit "$status"
