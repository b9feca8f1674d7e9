"""shiboken6's own modules compiled once and kept (easel/shiboken_bytecode.py): a second start
compiles none of them, PySide6 works the same from the kept bytecode, and a missing, damaged,
foreign or unwritable cache only means compiling as shiboken6 does."""

from __future__ import annotations

import builtins
import json
import marshal
import subprocess
import sys
from importlib.util import MAGIC_NUMBER
from pathlib import Path

import pytest

from easel.shiboken_bytecode import CACHE_NAME, SUPPORT_PREFIX, compiled_from, read_cache

ROOT = Path(__file__).resolve().parents[1]

# A fresh interpreter imports shiboken6 through the cache, then uses what its modules provide:
# a wrong call's message listing the signatures (shibokensupport.signature), and a Qt call.
FRESH_START = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from easel.shiboken_bytecode import import_shiboken
from_cache = import_shiboken(Path(sys.argv[2]))
from PySide6.QtCore import QObject
item = QObject()
item.setObjectName("kept")
try:
    item.setObjectName(5)
except TypeError as error:
    signature = str(error)
print(json.dumps({
    "from_cache": from_cache,
    "name": item.objectName(),
    "signature": signature,
    "support": sorted(n for n in sys.modules if n.startswith("shibokensupport")),
}))
"""


def _start(cache: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", FRESH_START, str(ROOT), str(cache)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_a_second_start_takes_every_module_from_the_cache(tmp_path):
    cache = tmp_path / "cache"  # not there yet: made by the first start
    first = _start(cache)
    assert first["from_cache"] is False and (cache / CACHE_NAME).is_file()
    second = _start(cache)
    assert second["from_cache"] is True
    # PySide6 works the same from the kept bytecode: its signatures too, which those modules make.
    assert second["name"] == first["name"] == "kept"
    assert second["signature"] == first["signature"]
    assert "setObjectName(name: str, /)" in second["signature"]
    assert second["support"] == first["support"] and len(second["support"]) > 5


def test_a_damaged_or_foreign_file_is_compiled_over(tmp_path):
    cache = tmp_path / "cache"
    _start(cache)
    kept = (cache / CACHE_NAME).read_bytes()
    damaged = bytearray(kept)
    damaged[-100] ^= 0xFF  # one byte of the bytecode: the digest no longer matches
    for broken in (bytes(damaged), kept[: len(kept) // 2], b"", b"\x00" * 40 + kept[40:]):
        (cache / CACHE_NAME).write_bytes(broken)
        assert read_cache(cache / CACHE_NAME) == {}
        assert _start(cache)["from_cache"] is False  # compiled, as without a cache
        assert (cache / CACHE_NAME).read_bytes() == kept  # and kept again, whole
    foreign = b"\x00\x00\r\n" + kept[len(MAGIC_NUMBER) :]  # another interpreter's magic number
    (cache / CACHE_NAME).write_bytes(foreign)
    assert read_cache(cache / CACHE_NAME) == {}


def test_a_cache_that_cannot_be_written_keeps_nothing_and_breaks_nothing(tmp_path):
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder would be", encoding="utf-8")
    assert _start(blocked)["name"] == "kept"
    assert blocked.read_text(encoding="utf-8") == "a file where the folder would be"


def test_only_shibokens_modules_are_answered_from_the_cache(tmp_path):
    path = tmp_path / CACHE_NAME
    source = b"VALUE = 6 * 7\n"
    with compiled_from(path) as outcome:
        made = builtins.compile(source, f"{SUPPORT_PREFIX}example.py", "exec")
        other = builtins.compile("OTHER = 1\n", "<test>", "exec")
        evaluated = builtins.compile("1 + 1", f"{SUPPORT_PREFIX}x.py", "eval")  # not a module
    assert (outcome.hits, outcome.misses) == (0, 1)
    assert builtins.compile is not None and eval(evaluated) == 2 and other.co_filename == "<test>"
    kept = read_cache(path)
    assert list(kept.values()) == [made]  # only the module it answered for
    with compiled_from(path) as outcome:
        again = builtins.compile(source, f"{SUPPORT_PREFIX}example.py", "exec")
        changed = builtins.compile(b"VALUE = 0\n", f"{SUPPORT_PREFIX}example.py", "exec")
    assert (outcome.hits, outcome.misses) == (1, 1)  # new source, same name: compiled
    assert marshal.dumps(again) == marshal.dumps(made)  # the same code a compile gives
    namespace: dict[str, int] = {}
    exec(again, namespace)  # noqa: S102 - our own test module's code
    assert namespace["VALUE"] == 42
    exec(changed, namespace)  # noqa: S102
    assert namespace["VALUE"] == 0


def test_compile_is_itself_again_after_an_import_that_fails(tmp_path):
    original = builtins.compile
    with pytest.raises(RuntimeError), compiled_from(tmp_path / CACHE_NAME):
        raise RuntimeError("the import failed")
    assert builtins.compile is original
    assert not (tmp_path / CACHE_NAME).exists()
