#!/usr/bin/env bash
# One command for a trainer: set everything up, check the content, open JupyterLab on notebooks/.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/simkit validate .
# --allow-root lets the same command work where JupyterLab runs as root (containers, lab machines).
exec .venv/bin/jupyter lab --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/00_start_here.ipynb --allow-root "$@"
