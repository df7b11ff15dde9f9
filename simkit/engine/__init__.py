"""The engine: scenario instances from seeds, reply scoring and dialogues."""

from simkit.language.freshness import prefer_fresh_sources

# scoring, checks and scope may be compiled (setup.py); one older than its source must not run
prefer_fresh_sources(__name__, __path__)
