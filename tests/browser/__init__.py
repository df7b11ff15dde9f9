"""Real-browser tests: Voilà pages and JupyterLab driven by Debian's chromium through Playwright."""
