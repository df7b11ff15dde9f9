#!/usr/bin/env bash
# Runs every check: lint, types, the content, the unit tests and the notebooks (nbval).
# The store's tests run on SQLite and on a throwaway PostgreSQL cluster (pg_virtualenv).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check simkit tests benchmarks conftest.py
.venv/bin/mypy simkit
.venv/bin/simkit validate .
tests=(scripts/pytest_rounds.sh "$@")  # on every core, then the tests that must run alone
if command -v pg_virtualenv >/dev/null 2>&1; then
  version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
  pg_virtualenv -t -v "$version" "${tests[@]}"  # -t: a private cluster folder, even as root
else
  echo "pg_virtualenv not found: PostgreSQL tests are skipped here (apt-get install postgresql; CI installs it)" >&2
  "${tests[@]}"
fi
