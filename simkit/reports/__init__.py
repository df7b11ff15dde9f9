"""Reports: readiness verdicts, tables, plots and exports built from the store."""
