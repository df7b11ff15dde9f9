"""Language: tokens and lemmas, lexicons, behaviour detection, politeness and topics."""

from simkit.language.freshness import prefer_fresh_sources

# the hot modules may be compiled (setup.py); one older than its source must not run
prefer_fresh_sources(__name__, __path__)
