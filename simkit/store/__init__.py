"""The evidence store: trainees, attempts, replies and the verdicts that scored them."""

from .database import Store, StoreError, StoreUnavailable, default_url

__all__ = ["Store", "StoreError", "StoreUnavailable", "default_url"]
