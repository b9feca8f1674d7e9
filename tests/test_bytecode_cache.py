"""What Python compiles at every start, kept in Easel's cache (app/bytecode_cache.py):
shiboken6's own modules, dataclasses' generated methods and regular expressions are compiled
once; a second start compiles none of them, and what it runs is the same; a missing, damaged,
foreign or unwritable cache only means compiling as Python does."""

from __future__ import annotations

import builtins
import json
import marshal
import re
import subprocess
import sys
from importlib.util import MAGIC_NUMBER
from pathlib import Path

import pytest

from app.bytecode_cache import (
    CACHE_NAME,
    SUPPORT_PREFIX,
    BytecodeCache,
    _compile_from,
    read_cache,
    write_cache,
)

ROOT = Path(__file__).resolve().parents[1]

# A fresh interpreter keeps bytecode as main.py does, imports shiboken6 through the cache, then
# uses what its modules provide (a wrong call's message listing the signatures, made by
# shibokensupport.signature), a Qt call, and a dataclass made after the cache started.
FRESH_START = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from app.bytecode_cache import import_shiboken, keep_bytecode
cache = keep_bytecode(Path(sys.argv[2]))
from_cache = import_shiboken(cache)
from PySide6.QtCore import QObject
item = QObject()
item.setObjectName("kept")
try:
    item.setObjectName(5)
except TypeError as error:
    signature = str(error)
from dataclasses import dataclass, field

@dataclass(frozen=True)
class Point:
    x: int
    y: int = 2
    tags: tuple = field(default_factory=tuple)

point = Point(1)
import re
found = [
    re.findall(r"(?P<word>[a-z]+)-(\\d+)", "ab-12 cd-345 EF-6"),
    re.match(r"(?i)ef-(?P<n>\\d)", "EF-6").groupdict(),
    re.sub(rb"\\s+", b" ", b"a  b\\t c").decode(),
    re.compile("^x$", re.M | re.A).pattern,
]
try:
    point.x = 5
    frozen = False
except AttributeError:
    frozen = True
print(json.dumps({
    "from_cache": from_cache,
    "hits": cache.hits,
    "misses": cache.misses,
    "name": item.objectName(),
    "signature": signature,
    "support": sorted(n for n in sys.modules if n.startswith("shibokensupport")),
    "point": [repr(point), point == Point(1), hash(point) == hash(Point(1)), frozen],
    "found": found,
}))
"""


def _start(cache: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", FRESH_START, str(ROOT), str(cache)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_second_start_compiles_none_of_what_the_first_kept(tmp_path):
    cache = tmp_path / "cache"  # not there yet: made by the first start, as it ends
    first = _start(cache)
    assert first["from_cache"] is False and first["hits"] == 0 and first["misses"] > 14
    assert (cache / CACHE_NAME).is_file()
    second = _start(cache)
    assert second["from_cache"] is True and second["misses"] == 0
    assert second["hits"] == first["misses"]  # shiboken6's modules and the dataclass's methods
    # What runs from the kept code is the same: PySide6's signatures, a frozen dataclass.
    assert second["name"] == first["name"] == "kept"
    assert second["signature"] == first["signature"]
    assert "setObjectName(name: str, /)" in second["signature"]
    assert second["support"] == first["support"] and len(second["support"]) > 5
    assert second["point"] == first["point"] == ["Point(x=1, y=2, tags=())", True, True, True]
    assert (
        second["found"]
        == first["found"]
        == [[["ab", "12"], ["cd", "345"]], {"n": "6"}, "a b c", "^x$"]
    )


def test_a_damaged_or_foreign_file_is_compiled_over(tmp_path):
    cache = tmp_path / "cache"
    _start(cache)
    kept = (cache / CACHE_NAME).read_bytes()
    damaged = bytearray(kept)
    damaged[-100] ^= 0xFF  # one byte of the bytecode: the digest no longer matches
    for broken in (bytes(damaged), kept[: len(kept) // 2], b"", b"\x00" * 40 + kept[40:]):
        (cache / CACHE_NAME).write_bytes(broken)
        assert read_cache(cache / CACHE_NAME) == {}
        started = _start(cache)
        assert started["from_cache"] is False and started["hits"] == 0  # compiled, as without
        assert read_cache(cache / CACHE_NAME).keys() == read_cache_of(kept).keys()  # kept again
    foreign = b"\x00\x00\r\n" + kept[len(MAGIC_NUMBER) :]  # another interpreter's magic number
    (cache / CACHE_NAME).write_bytes(foreign)
    assert read_cache(cache / CACHE_NAME) == {}


def read_cache_of(data: bytes) -> dict:
    return marshal.loads(data[len(MAGIC_NUMBER) + 32 :])


def test_a_cache_that_cannot_be_written_keeps_nothing_and_breaks_nothing(tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    assert _start(blocked)["name"] == "kept"
    assert blocked.read_text(encoding="utf-8") == "a file where the folder would be"


def test_only_shibokens_modules_are_answered_from_the_cache(tmp_path):
    cache = BytecodeCache(tmp_path / CACHE_NAME)
    source = b"VALUE = 6 * 7\n"
    with _compile_from(cache):
        made = builtins.compile(source, f"{SUPPORT_PREFIX}example.py", "exec")
        other = builtins.compile("OTHER = 1\n", "<test>", "exec")
        evaluated = builtins.compile("1 + 1", f"{SUPPORT_PREFIX}x.py", "eval")  # not a module
    assert (cache.hits, cache.misses) == (0, 1)
    assert eval(evaluated) == 2 and other.co_filename == "<test>"  # Python's own compiles
    cache.save()
    again_cache = BytecodeCache(tmp_path / CACHE_NAME)
    with _compile_from(again_cache):
        again = builtins.compile(source, f"{SUPPORT_PREFIX}example.py", "exec")
        changed = builtins.compile(b"VALUE = 0\n", f"{SUPPORT_PREFIX}example.py", "exec")
    assert (again_cache.hits, again_cache.misses) == (1, 1)  # new source, same name: compiled
    assert marshal.dumps(again) == marshal.dumps(made)  # the same code a compile gives
    namespace: dict[str, int] = {}
    exec(again, namespace)
    assert namespace["VALUE"] == 42
    exec(changed, namespace)
    assert namespace["VALUE"] == 0


# A caller without `from __future__ import annotations`: its compile evaluates annotations.
PLAIN_CALLER = """
def compile_plain(source, filename):
    return compile(source, filename, "exec")
"""


def test_the_kept_code_has_the_future_flags_its_caller_would_have_given(tmp_path):
    """A bare compile() inherits its caller's `from __future__` flags (shiboken6's loader has
    annotations on; one of its modules does not say so itself): the cache keeps them apart."""
    plain: dict = {}
    exec(compile(PLAIN_CALLER, "<plain>", "exec", dont_inherit=True), plain)
    source = b"x: undefined_name = 1\n"  # fine with postponed annotations, NameError without
    cache = BytecodeCache(tmp_path / CACHE_NAME)
    with _compile_from(cache):
        postponed = builtins.compile(source, f"{SUPPORT_PREFIX}a.py", "exec")  # this module's
        evaluated = plain["compile_plain"](source, f"{SUPPORT_PREFIX}a.py")
    assert cache.misses == 2  # one source, two flags: two code objects
    exec(postponed, {})
    with pytest.raises(NameError):
        exec(evaluated, {})


def test_compile_is_itself_again_after_an_import_that_fails(tmp_path):
    original = builtins.compile
    cache = BytecodeCache(tmp_path / CACHE_NAME)
    with pytest.raises(RuntimeError), _compile_from(cache):
        raise RuntimeError("the import failed")
    assert builtins.compile is original
    cache.save()  # nothing was compiled: nothing written
    assert not (tmp_path / CACHE_NAME).exists()


def test_a_kept_pattern_is_the_pattern_re_compiles(tmp_path):
    cache = BytecodeCache(tmp_path / CACHE_NAME)
    compiler = re._compiler.compile
    samples = [(r"(?P<a>x+)(y)?\s*$", re.I | re.M), (rb"[\x00-\x1f]+", 0), (r"\b\w+\b", re.A)]
    made = [cache.pattern(pattern, flags, compiler) for pattern, flags in samples]
    assert (cache.hits, cache.misses) == (0, 3)
    cache.save()
    again = BytecodeCache(tmp_path / CACHE_NAME)
    kept = [again.pattern(pattern, flags, compiler) for pattern, flags in samples]
    assert (again.hits, again.misses) == (3, 0)
    for (pattern, flags), first, second in zip(samples, made, kept, strict=True):
        assert first == second == compiler(pattern, flags)  # the same program
        assert second.groupindex == first.groupindex and second.groups == first.groups
    assert kept[0].match("XXy  ").groupdict() == {"a": "XX"}


def test_a_program_the_engine_refuses_is_compiled_again(tmp_path):
    cache = BytecodeCache(tmp_path / CACHE_NAME)
    compiler = re._compiler.compile
    cache.pattern("ab+c", 0, compiler)
    cache.save()
    entries = read_cache(tmp_path / CACHE_NAME)
    ((key, program),) = [(k, v) for k, v in entries.items() if k.startswith("re:")]
    flags, code, groups, names, by_number = program
    entries[key] = (flags, [255] * len(code), groups, names, by_number)  # no such opcode
    write_cache(tmp_path / CACHE_NAME, entries)  # a well-formed file: only the engine can tell
    again = BytecodeCache(tmp_path / CACHE_NAME)
    pattern = again.pattern("ab+c", 0, compiler)
    assert (again.hits, again.misses) == (0, 1)
    assert pattern.fullmatch("abbbc") and pattern == compiler("ab+c", 0)


# keep_bytecode() then stop_keeping(): what is made after the start is compiled as Python does.
STOPPED = """
import json, re, sys, dataclasses
from pathlib import Path
from re import _compiler
sys.path.insert(0, sys.argv[1])
plain_compile = _compiler.compile
from app.bytecode_cache import keep_bytecode, read_cache, stop_keeping
cache = keep_bytecode(Path(sys.argv[2]))
kept_while_starting = re.compile("start[0-9]+").pattern
stood_in = _compiler.compile is not plain_compile and hasattr(dataclasses, "exec")
stop_keeping()
misses = cache.misses
re.compile("after the start: " + sys.argv[3])
@dataclasses.dataclass
class Later:
    value: int = 1
print(json.dumps({
    "stood_in": stood_in,
    "restored": _compiler.compile is plain_compile and not hasattr(dataclasses, "exec"),
    "kept": len(read_cache(cache.path)),
    "misses_after": cache.misses - misses,
    "later": Later().value,
}))
"""


def test_only_the_start_is_kept(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", STOPPED, str(ROOT), str(tmp_path / "cache"), "a user's words"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["stood_in"] and report["restored"]
    assert report["kept"] >= 1  # written at stop_keeping(), the start's pattern in it
    # The pattern made of a user's words afterwards went to re's own compiler, not the cache.
    assert report["misses_after"] == 0 and report["later"] == 1
