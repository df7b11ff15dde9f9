"""Alembic migrations of the evidence store; ``simkit.store.Store`` runs them on open."""
