"""Alembic migrations of the evidence store; ``simkit.store.database.Store`` runs them on open."""
