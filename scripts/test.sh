#!/usr/bin/env bash
# Runs every check: lint, types, the content, the unit tests and the notebooks (nbval).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/ruff check simkit tests benchmarks
.venv/bin/mypy simkit
.venv/bin/simkit validate .
.venv/bin/python -m pytest --nbval-lax --nbval-current-env tests notebooks "$@"
