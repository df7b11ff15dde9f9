#!/usr/bin/env bash
# One command for a trainer: set everything up, check the content, open JupyterLab on the kit's folder
# (so scenarios/ and rulebook/ open in its editor; the start page is notebooks/00_start_here.ipynb).
# The same JupyterLab serves the trainee apps through Voilà (no code shown): at <address>/voila/tree/notebooks
# the notebooks are listed, and <address>/voila/render/notebooks/day1_rules.ipynb (day2_procedures,
# day3_practice) opens one day as an app. <address> is what JupyterLab prints, up to and including the port.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
.venv/bin/simkit validate .
# Voilà's install enables its server extension; make sure, or /voila/... would answer 404
extensions=$(.venv/bin/jupyter server extension list 2>&1 || true)
if ! grep -q 'voila.server_extension.*enabled' <<<"$extensions"; then
  .venv/bin/jupyter server extension enable --sys-prefix voila.server_extension
fi
cat >&2 <<'MSG'

  Trainers: JupyterLab opens on notebooks/00_start_here.ipynb; notebooks/authoring.ipynb edits and
  checks scenarios and rules.
  New hires: in the file list on the left open notebooks, then day1_rules.ipynb (then day2_procedures,
  day3_practice) and press Shift+Enter in its cell; or, as an app without code, replace "/lab..." in
  the address with "/voila/tree/notebooks" and click the day.

MSG
# --allow-root lets the same command work where JupyterLab runs as root (containers, lab machines).
# The root is the kit's folder, not notebooks/: JupyterLab opens only files under its root, and the
# authoring notebook links each content file to JupyterLab's editor.
exec .venv/bin/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb --allow-root "$@"
