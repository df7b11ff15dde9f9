"""A compiled module older than its source is passed over: the source runs instead.

setup.py builds the hot modules of the language and engine packages as C extensions (Cython), and
Python imports an extension in preference to the ``.py`` beside it. After a ``git pull`` or an edit, until
``scripts/setup.sh`` builds them again, an extension would still run the old code, and a trainee's
reply would be scored by rules that are no longer in the source. So where an extension is older
than its source, the source is imported: slower, never out of date.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Iterable, Sequence
from importlib.machinery import ModuleSpec
from pathlib import Path
from types import ModuleType


class _Sources(importlib.abc.MetaPathFinder):
    """Finds the source of each module whose extension is stale, ahead of the usual finders."""

    def __init__(self, sources: dict[str, Path]) -> None:
        self.sources = sources

    def find_spec(self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None) -> ModuleSpec | None:
        source = self.sources.get(fullname)
        return importlib.util.spec_from_file_location(fullname, source) if source is not None else None


def stale_extensions(package: str, folders: Iterable[str]) -> dict[str, Path]:
    """The modules of ``package`` (by full name) whose extension is older than their source,
    with the source's path."""
    out: dict[str, Path] = {}
    for folder in map(Path, folders):
        for suffix in importlib.machinery.EXTENSION_SUFFIXES:
            for extension in folder.glob(f"*{suffix}"):
                source = folder / (extension.name[: -len(suffix)] + ".py")
                try:
                    if source.stat().st_mtime > extension.stat().st_mtime:
                        out[f"{package}.{source.stem}"] = source
                except OSError:  # no source (another Python's extension, say): nothing to prefer
                    continue
    return out


def prefer_fresh_sources(package: str, folders: Iterable[str]) -> None:
    """Import the source of every module of ``package`` whose extension is stale."""
    stale = stale_extensions(package, folders)
    if stale:
        sys.meta_path.insert(0, _Sources(stale))


def is_compiled(module: ModuleType) -> bool:
    """Whether ``module`` runs as a compiled extension (benchmarks print it beside their figures)."""
    origin = getattr(module, "__file__", None) or ""
    return origin.endswith(tuple(importlib.machinery.EXTENSION_SUFFIXES))
