"""The apps people use in JupyterLab and Voilà: ipywidgets over the engine's public API, no engine logic."""
