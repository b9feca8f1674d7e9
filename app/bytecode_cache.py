"""What Python would compile again at every start, kept in Easel's cache folder.

Python keeps bytecode only for modules it loads from files. Three kinds of code that every
start of Easel compiles from source are not that:
- shiboken6's own modules. Importing it (the first thing any PySide6 import does) unpacks 14
  Python modules (`shibokensupport`: signatures, feature switches) from a zip embedded in its
  library and compiles them: measured on our 2-core machines, 16–26 ms of the 50–75 ms the
  import takes, on the GUI thread before any window can exist, and again in every `render`.
- dataclasses' methods. `@dataclass` writes `__init__`, `__repr__`, `__eq__` (and, frozen,
  `__setattr__`, `__delattr__`, `__hash__`) as source and executes it: ~0.45 ms a class, of
  which ~0.37 ms is compiling that source; ~35 of Easel's classes are made before the window is
  ready, more as it warms up.
- regular expressions. `re` compiles a pattern into a program for its matching engine the
  first time a process uses it: ~20 ms of a start (shiboken6's own ~12 ms of it, its signature
  parser's patterns), every time.

`keep_bytecode()` answers all three from one cache, each entry keyed by a hash of its source
and file name (or of a pattern, its flags and the engine's magic number), so new source, after
an upgrade, simply misses: shiboken6's modules through `import_shiboken`, which imports it with
Python's `compile` answered from the cache for those modules only; dataclasses' methods by
giving the dataclasses module an `exec` of its own that looks its source up first (every other
caller's `exec` is untouched); patterns by standing in for `re`'s compiler below `re`'s own
per-process cache: a kept program goes straight to the engine, which checks it as it takes it;
a new one is compiled by `re` as always, and kept only if the program read back from it makes
a pattern equal to `re`'s (the same program). What was missing is compiled as before.

Only a start is kept: `stop_keeping()` (the app calls it once its warm-up is over) gives
dataclasses and `re` their own compiling back and writes the file; a process that never calls it
(a headless command) writes it as it ends. Patterns made later from what the user or a model
wrote (a search, an edit) are thus never kept, and neither is a pattern over MAX_PATTERN_CHARS.

The file is read only by an interpreter with the magic number it was written with, and only when
the digest written with it matches what follows (a torn or damaged file is compiled over, not
loaded). Like a .pyc file it is trusted: whoever can write it can write the user's other files
as well. A missing, foreign, damaged or unwritable file means compiling as Python does.

The folder is here rather than in app.config: this starts before any of Easel's dataclasses
exists, and app.config makes some as it is imported.
"""

from __future__ import annotations
import __future__

import atexit
import builtins
import hashlib
import marshal
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from types import CodeType
from typing import Any

from app.whole_files import read_sealed_dict, write_sealed_dict

# The names shiboken6 gives its embedded modules when it compiles them.
SUPPORT_PREFIX = "shibokensupport/"
# The name exec() gives source it compiles itself, as dataclasses' is.
EXEC_FILENAME = "<string>"
# Keys of kept regular-expression programs start with this (the rest are code objects').
REGEX_PREFIX = "re:"
CACHE_NAME = f"bytecode.{sys.implementation.cache_tag}.bin"
# Past this many kept entries, a save keeps only what the process used (old versions' code
# goes; a start uses a few hundred), and nothing more is kept in memory.
MAX_ENTRIES = 4000
# Longer patterns are compiled as re does and not kept (the longest of a start: ~6,500).
MAX_PATTERN_CHARS = 16_384
_DIGEST = hashlib.sha256
_COMPILE, _EXEC = builtins.compile, builtins.exec
# The `from __future__` flags a compile or exec inherits from the code that calls it.
_FUTURE_FLAGS = 0
for _name in __future__.all_feature_names:
    _FUTURE_FLAGS |= getattr(__future__, _name).compiler_flag

_kept: BytecodeCache | None = None
# What keep_bytecode() changed, each with how to change it back (stop_keeping).
_restore: list[Callable[[], None]] = []


def cache_dir() -> Path:
    """Easel's cache folder (not created here); EASEL_HOME relocates it beside config and data
    (app.config.home_dirs)."""
    home = os.environ.get("EASEL_HOME")
    if home:
        return Path(home) / "cache"
    import platformdirs

    return Path(platformdirs.user_cache_dir("easel"))


Program = tuple[int, list[int], int, dict[str, int], tuple[str | None, ...]]


class BytecodeCache:
    """Code objects by source and patterns' programs, read from one file and written back to
    it when any was missing. Each entry is kept marshalled on its own and read only when it is
    asked for: a start asks for ~350 of the ~1,100 a warm-up leaves (reading them all took
    ~10 ms, reading the file ~1)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw = _read_raw(path)  # key -> one marshalled entry
        self._made: dict[str, CodeType | Program] = {}  # kept by this process, not written yet
        self._used: set[str] = set()
        self.hits = 0
        self.misses = 0

    def compile(self, source: bytes | str, filename: str, flags: int = 0) -> CodeType:
        """The code of `source` as `compile(source, filename, "exec", flags, True)` gives it
        (flags: the `from __future__` ones the caller's compile would have inherited)."""
        key = _key(filename, source, flags)
        code = self._entry(key)
        if isinstance(code, CodeType):
            self.hits += 1
            self._used.add(key)
            return code
        code = _COMPILE(source, filename, "exec", flags, True)
        self._keep(key, code)
        return code

    def pattern(self, pattern: str | bytes, flags: int, compile_: Callable[..., Any]) -> Any:
        """The compiled pattern, from its kept program or else from `compile_` (re's own
        compiler), whose program is then kept if it reads back the same."""
        import _sre

        if len(pattern) > MAX_PATTERN_CHARS:
            return compile_(pattern, flags)
        magic = f"{REGEX_PREFIX}{type(pattern).__name__}\0{_sre.MAGIC}"
        key = REGEX_PREFIX + _key(magic, pattern, flags)
        program = self._entry(key)
        if _is_program(program):
            try:
                made = _sre.compile(pattern, *program)
            except (RuntimeError, TypeError, ValueError, OverflowError):  # the engine refused it
                made = None
            if made is not None:
                self.hits += 1
                self._used.add(key)
                return made
        made = compile_(pattern, flags)
        program = _program(pattern, flags)
        if program is not None and _sre.compile(pattern, *program) == made:
            self._keep(key, program)
        return made

    def save(self) -> None:
        """Write the file again if anything was kept since it was read (what it held and what
        was made since; only what this process used once that is over MAX_ENTRIES)."""
        if not self._made:
            return
        raw = dict(self._raw)
        raw.update((key, marshal.dumps(entry)) for key, entry in self._made.items())
        if len(raw) > MAX_ENTRIES:
            raw = {key: raw[key] for key in self._used if key in raw}
        try:
            write_sealed_dict(self.path, MAGIC_NUMBER, raw)
        except OSError:
            return  # a folder that cannot be written keeps nothing: the next start compiles
        self._raw, self._made = raw, {}

    def _entry(self, key: str) -> object:
        if key in self._made:
            return self._made[key]
        raw = self._raw.get(key)
        if raw is None:
            return None
        try:
            return marshal.loads(raw)
        except (EOFError, ValueError, TypeError):
            return None

    def _keep(self, key: str, entry: CodeType | Program) -> None:
        if len(self._raw) + len(self._made) >= MAX_ENTRIES:
            return  # full: made, not kept
        self._made[key] = entry
        self._used.add(key)
        self.misses += 1


def keep_bytecode(directory: Path | None = None) -> BytecodeCache:
    """Start keeping for this process (once; later calls return the same cache): dataclasses'
    methods and re's patterns from now on, until stop_keeping(); shiboken6's modules when
    `import_shiboken` is given it. The file is written then, or when the process ends.
    directory: the cache folder (cache_dir())."""
    global _kept
    if _kept is None:
        _kept = BytecodeCache((directory or cache_dir()) / CACHE_NAME)
        _restore.append(_answer_dataclasses(_kept))
        _restore.append(_answer_patterns(_kept))
        atexit.register(_kept.save)
    return _kept


def stop_keeping() -> None:
    """The start is over: dataclasses and re compile as Python does from now on, and what was
    kept is written now."""
    while _restore:
        _restore.pop()()
    if _kept is not None:
        _kept.save()


def import_shiboken(cache: BytecodeCache | None) -> bool:
    """Import shiboken6 with its own modules' code from `cache`. None, or shiboken6 imported
    already: a plain import. Returns whether every one of its modules came from the cache."""
    if cache is None or "shiboken6" in sys.modules:
        import shiboken6  # noqa: F401

        return False
    hits, misses = cache.hits, cache.misses
    with _compile_from(cache):
        import shiboken6  # noqa: F401
    return cache.hits > hits and cache.misses == misses


@contextmanager
def _compile_from(cache: BytecodeCache) -> Iterator[None]:
    """Inside: shiboken6's modules are compiled from the cache; any other compile is Python's."""
    original = builtins.compile

    def compile_cached(source: Any, filename: Any, mode: str, *args: Any, **kwargs: Any) -> Any:
        # Called bare, compile() inherits its caller's future flags: so does the cached code.
        if (
            args
            or kwargs
            or mode != "exec"
            or not isinstance(filename, str)
            or not filename.startswith(SUPPORT_PREFIX)
            or not isinstance(source, bytes | str)
        ):
            return original(source, filename, mode, *args, **kwargs)
        return cache.compile(source, filename, _caller_flags())

    builtins.compile = compile_cached
    try:
        yield
    finally:
        builtins.compile = original


def _answer_dataclasses(cache: BytecodeCache) -> Callable[[], None]:
    """Give the dataclasses module an `exec` that takes its generated source's code from the
    cache (a module global: it is found before the builtin, by that module's code only).
    Returns how to take it away again."""
    import dataclasses

    def exec_cached(source: Any, globals: Any = None, locals: Any = None) -> None:  # noqa: A002
        if isinstance(source, str):  # exec() compiles it with its caller's future flags
            source = cache.compile(source, EXEC_FILENAME, _caller_flags())
        _EXEC(source, globals, locals)

    dataclasses.exec = exec_cached  # type: ignore[attr-defined]

    def restore() -> None:
        if getattr(dataclasses, "exec", None) is exec_cached:
            del dataclasses.exec  # type: ignore[attr-defined]

    return restore


def _answer_patterns(cache: BytecodeCache) -> Callable[[], None]:
    """Stand in for re's compiler (below re's own cache of the patterns it has compiled).
    Returns how to give re its own back."""
    from re import _compiler

    original = _compiler.compile

    def compile_cached(pattern: Any, flags: int = 0) -> Any:
        if not isinstance(pattern, str | bytes) or flags & _compiler.SRE_FLAG_DEBUG:
            return original(pattern, flags)  # a parsed pattern (re.Scanner), or a debug print
        return cache.pattern(pattern, flags, original)

    _compiler.compile = compile_cached

    def restore() -> None:
        if _compiler.compile is compile_cached:
            _compiler.compile = original

    return restore


def _program(pattern: str | bytes, flags: int) -> Program | None:
    """What re's compiler gives its engine for `pattern`: flags, code, groups, their names
    (re/_compiler.py's compile()); None if that cannot be read here."""
    from re import _compiler, _parser

    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        # Plain ints and strings (the compiler's opcodes are an int subclass marshal refuses).
        names = {str(name): int(number) for name, number in parsed.state.groupdict.items()}
        by_number: list[str | None] = [None] * parsed.state.groups
        for name, number in names.items():
            by_number[number] = name
        return (
            int(flags | parsed.state.flags),
            [int(word) for word in code],
            int(parsed.state.groups - 1),
            names,
            tuple(by_number),
        )
    except Exception:  # noqa: BLE001 - another Python's compiler: patterns are not kept
        return None


def read_cache(path: Path) -> dict[str, CodeType | Program]:
    """The entries kept in `path`, each read; empty when it is missing, foreign or damaged."""
    entries: dict[str, CodeType | Program] = {}
    for key, raw in _read_raw(path).items():
        try:
            entry = marshal.loads(raw)
        except (EOFError, ValueError, TypeError):
            continue
        if _is_program(entry) if key.startswith(REGEX_PREFIX) else isinstance(entry, CodeType):
            entries[key] = entry
    return entries


def _read_raw(path: Path) -> dict[str, bytes]:
    kept = read_sealed_dict(path, MAGIC_NUMBER)
    return {
        key: raw for key, raw in kept.items() if isinstance(key, str) and isinstance(raw, bytes)
    }


def _is_program(entry: object) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) == 5
        and isinstance(entry[0], int)
        and isinstance(entry[1], list)
        and all(isinstance(word, int) for word in entry[1])
        and isinstance(entry[2], int)
        and isinstance(entry[3], dict)
        and isinstance(entry[4], tuple)
    )


def write_cache(path: Path, entries: dict[str, CodeType | Program]) -> None:
    """Keep `entries` in `path`, replacing it whole (a reader sees the old file or the new
    one). A folder that cannot be written keeps nothing: the next start compiles again."""
    try:
        raw = {key: marshal.dumps(entry) for key, entry in entries.items()}
        write_sealed_dict(path, MAGIC_NUMBER, raw)
    except OSError:
        return


def _caller_flags() -> int:
    """The future flags of the code that called the function calling this one."""
    return sys._getframe(2).f_code.co_flags & _FUTURE_FLAGS


def _key(filename: str, source: bytes | str, flags: int) -> str:
    raw = source if isinstance(source, bytes) else source.encode("utf-8", "surrogatepass")
    named = f"{filename}\0{flags}\0".encode("utf-8", "surrogatepass")
    return _DIGEST(named + raw).hexdigest()
