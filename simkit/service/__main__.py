"""``python -m simkit.service``: how JupyterHub starts the service (see docs/service.md)."""

from .server import main

main()
