"""Compiled lexicons kept on disk, so that a new process does not read and compile them again.

A lexicon is YAML that is parsed, validated and compiled into thousands of pattern objects each
time a process starts; the compiled form is pickled into the user's cache folder and read back
next time. The file's name carries a hash of everything the compiled form depends on (the
lexicon file's bytes, the code that compiles it, the Python version), so a changed lexicon or a
new release never reads an old file: it compiles, writes a fresh file and removes the stale one.

The cache only ever saves time. A file that is missing, truncated, corrupt or of another shape
is compiled again (and overwritten); a folder that cannot be written means compiling in every
process. Reading a pickle runs code, so only a file owned by this user and writable by no one
else is read, and only from the user's own cache folder. Files are written to a temporary name
and renamed, so a reader never sees half a file.

The folder is ``$SIMKIT_CACHE_DIR`` if set (empty: no disk cache), else
``$XDG_CACHE_HOME/simkit`` or ``~/.cache/simkit``.
"""

from __future__ import annotations

import gc
import hashlib
import importlib.util
import os
import pickle
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

# bumped when the way things are stored changes
_FORMAT = b"simkit-compiled-1"
# a compiled lexicon takes about a megabyte; anything far larger is not one of ours
_MAX_BYTES = 64 * 1024 * 1024


def cache_dir() -> Path | None:
    """The folder compiled files are kept in, or None when there is none."""
    configured = os.environ.get("SIMKIT_CACHE_DIR")
    if configured is not None:
        return Path(configured).expanduser() if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    try:
        root = Path(base) if base else Path.home() / ".cache"
    except RuntimeError:  # no home directory to be found
        return None
    return root / "simkit"


def cached(name: str, parts: Iterable[bytes], build: Callable[[], T], kind: type[T]) -> T:
    """What ``build`` returns, read from the cache file of ``name`` and ``parts`` when there is one.

    ``parts`` are everything the result depends on; ``kind`` is the type it must have (a file
    holding anything else is compiled again).
    """
    folder = cache_dir()
    if folder is None:
        return build()
    digest = hashlib.sha256(b"\0".join([_FORMAT, sys.version.encode(), *parts])).hexdigest()[:32]
    path = folder / f"{name}-{digest}.pickle"
    found = _read(path, kind)
    if found is not None:
        return found
    value = build()
    _write(path, value, stale=f"{name}-*.pickle")
    return value


@contextmanager
def collector_paused() -> Iterator[None]:
    """No garbage collection while a block builds many objects that form no cycles.

    Unpickling a compiled lexicon or building a matcher makes some hundred thousand containers,
    none of them garbage; meanwhile the collector ran dozens of times and walked ever more of them
    (a third of the loading time). Reading or writing many stored rows is the same (store,
    reports). One piece for every layer: this is the lowest that needs it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def source_of(*modules: str) -> bytes:
    """The source text of these modules (by ``__name__``): part of what compiled data depends on."""
    out = []
    for module in modules:
        loaded = sys.modules.get(module)
        file = getattr(loaded, "__file__", None) if loaded is not None else _file_of(module)
        out.append(Path(file).read_bytes() if file else module.encode())
    return b"\0".join(out)


def _file_of(module: str) -> str | None:
    """Where a module not imported yet is (one that only compiling imports, say), without importing it."""
    try:
        spec = importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None
    return spec.origin if spec is not None and spec.has_location else None


def _read(path: Path, kind: type[T]) -> T | None:
    try:
        with path.open("rb") as f:
            info = os.fstat(f.fileno())
            uid = getattr(os, "getuid", None)
            if (uid is not None and info.st_uid != uid()) or info.st_mode & 0o022 or info.st_size > _MAX_BYTES:
                return None
            with collector_paused():
                value = pickle.load(f)
    except Exception:  # missing, unreadable, truncated or corrupt: compile again
        return None
    return value if isinstance(value, kind) else None


def _write(path: Path, value: object, stale: str) -> None:
    temporary: str | None = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, path)
        temporary = None
        for old in path.parent.glob(stale):
            if old != path:
                old.unlink(missing_ok=True)
    except Exception:  # a read-only or full disk, or a value that does not pickle: no cache, same result
        pass
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
