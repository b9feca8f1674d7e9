"""shiboken6's own Python modules, compiled once: their bytecode is kept in Easel's cache.

Importing shiboken6 (PySide6's base, the first thing any PySide6 import does) unpacks 14
Python modules of its own (`shibokensupport`: signatures, feature switches) from a zip that is
embedded in its library, and compiles their source, at every start: Python keeps bytecode only
for modules it loads from files. Measured on our 2-core machines, compiling them took 16–26 ms
of the 50–75 ms the import takes, on the GUI thread before any window can exist, and again in
every `render`. `import_shiboken` imports it with Python's `compile` answered from a cache of
those modules' code objects, each keyed by a hash of its name and source: a new PySide6's
modules miss, are compiled and kept. Every other compile passes straight through.

The cache is one file in Easel's cache folder, read only by an interpreter with the magic
number it was written with, and only when the digest written with it matches what follows (a
torn or damaged file is compiled over, not loaded). Like a .pyc file it is trusted: whoever can
write it can write the user's other files as well. A missing, foreign or damaged file means
compiling as shiboken6 does, then writing the file again where the folder can be written.
"""

from __future__ import annotations

import builtins
import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType
from typing import Any

# The names shiboken6 gives its embedded modules when it compiles them.
SUPPORT_PREFIX = "shibokensupport/"
CACHE_NAME = f"shiboken-support.{sys.implementation.cache_tag}.bytecode"
_DIGEST = hashlib.sha256


def import_shiboken(cache_dir: Path | None) -> bool:
    """Import shiboken6 with its own modules' bytecode read from `cache_dir` (and kept there
    when any was missing). None, or shiboken6 imported already: a plain import. Returns
    whether every module came from the cache."""
    if cache_dir is None or "shiboken6" in sys.modules:
        import shiboken6  # noqa: F401

        return False
    with compiled_from(cache_dir / CACHE_NAME) as outcome:
        import shiboken6  # noqa: F401
    return outcome.hits > 0 and outcome.misses == 0


class Outcome:
    """How the cache served the compiles of one `compiled_from`."""

    def __init__(self) -> None:
        self.hits = 0
        self.misses = 0


@contextmanager
def compiled_from(path: Path) -> Iterator[Outcome]:
    """Inside: shiboken6's modules are compiled from the cache file `path`; on leaving, the
    file is written anew (only what was used) when anything was missing from it."""
    cached = read_cache(path)
    used: dict[str, CodeType] = {}
    outcome = Outcome()
    original = builtins.compile

    def compile_cached(source: Any, filename: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
        if (
            args
            or kwargs
            or mode != "exec"
            or not isinstance(filename, str)
            or not filename.startswith(SUPPORT_PREFIX)
            or not isinstance(source, bytes | str)
        ):
            return original(source, filename, mode, *args, **kwargs)
        key = _key(filename, source)
        code = cached.get(key)
        if code is None:
            outcome.misses += 1
            code = original(source, filename, mode)
        else:
            outcome.hits += 1
        used[key] = code
        return code

    builtins.compile = compile_cached
    try:
        yield outcome
    finally:
        builtins.compile = original
    if outcome.misses:
        write_cache(path, used)


def read_cache(path: Path) -> dict[str, CodeType]:
    """The code objects kept in `path`; empty when it is missing, foreign or damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    header = len(MAGIC_NUMBER) + _DIGEST().digest_size
    body = data[header:]
    if (
        data[: len(MAGIC_NUMBER)] != MAGIC_NUMBER
        or data[len(MAGIC_NUMBER) : header] != _DIGEST(body).digest()
    ):
        return {}
    try:
        entries = marshal.loads(body)
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(entries, dict):
        return {}
    return {
        key: code
        for key, code in entries.items()
        if isinstance(key, str) and isinstance(code, CodeType)
    }


def write_cache(path: Path, entries: dict[str, CodeType]) -> None:
    """Keep `entries` in `path`, replacing it whole (a reader sees the old file or the new
    one). A folder that cannot be written keeps nothing: the next start compiles again."""
    body = marshal.dumps(entries)
    data = MAGIC_NUMBER + _DIGEST(body).digest() + body
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(handle, "wb") as file:
                file.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    except OSError:
        return


def _key(filename: str, source: bytes | str) -> str:
    raw = source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass")
    return _DIGEST(filename.encode("utf-8", "surrogatepass") + b"\0" + raw).hexdigest()
