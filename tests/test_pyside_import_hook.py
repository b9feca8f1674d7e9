"""PySide6's per-import check ("does this module's source name PySide6?") read from the file's
bytes (easel/pyside_import_hook.py): the same answers as PySide6's own, and a feature switch
still reaches the modules that use Qt."""

from __future__ import annotations

import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from easel.pyside_import_hook import answer_from_bytes

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def modules(tmp_path, monkeypatch):
    """Modules of every kind the check meets: Qt-using, plain, Latin-1, gone from disk."""
    files = {
        "easel_uses_qt": "from PySide6.QtCore import QObject\n",
        "easel_plain": "VALUE = 1\n",
        "easel_latin": "# -*- coding: latin-1 -*-\n# caf\xe9 PySide6\nVALUE = 2\n",
        "easel_gone": "VALUE = 3  # PySide6\n",
    }
    for name, source in files.items():
        encoding = "latin-1" if name == "easel_latin" else "utf-8"
        (tmp_path / f"{name}.py").write_text(source, encoding=encoding)
    monkeypatch.syspath_prepend(str(tmp_path))
    loaded = {name: importlib.import_module(name) for name in files}
    (tmp_path / "easel_gone.py").unlink()
    yield loaded
    for name in files:
        sys.modules.pop(name, None)


def test_the_check_reads_bytes_and_answers_as_pyside_does(modules):
    import shibokensupport.feature as feature  # loaded by PySide6 (conftest imports it)

    original = feature._mod_uses_pyside
    was_replaced = getattr(original, "reads_bytes", False)
    try:
        assert answer_from_bytes()
        check = feature._mod_uses_pyside
        assert check.reads_bytes
        assert answer_from_bytes() and feature._mod_uses_pyside is check  # not wrapped twice
        samples = [*modules.values(), sys, importlib, subprocess, textwrap]
        answers = {m.__name__: check(m) for m in samples}
        assert answers["easel_uses_qt"] is True
        assert answers["easel_latin"] is True
        assert answers["easel_plain"] is False
        assert answers["easel_gone"] is False  # no file: PySide6's own answer (no source)
        assert answers["sys"] is False  # built in
        if not was_replaced:  # PySide6's own check, through inspect.getsource
            assert answers == {m.__name__: original(m) for m in samples}
    finally:
        if not was_replaced:
            feature._mod_uses_pyside = original


def test_a_feature_switch_still_reaches_the_modules_that_use_qt(tmp_path):
    """snake_case, switched on in one module, renames Qt's methods there, and not in another
    module that uses Qt: the same with the check reading bytes as with PySide6's own (each in
    a process of its own: a feature is global to PySide6)."""
    (tmp_path / "snake_user.py").write_text(
        "from __feature__ import snake_case  # noqa\n"
        "from PySide6.QtCore import QObject\n\n"
        "def name_of(obj):\n    return obj.object_name()\n",
        encoding="utf-8",
    )
    (tmp_path / "camel_user.py").write_text(
        "from PySide6.QtCore import QObject\n\ndef name_of(obj):\n    return obj.objectName()\n",
        encoding="utf-8",
    )
    script = textwrap.dedent(
        f"""
        import sys
        sys.path[:0] = [{str(ROOT)!r}, {str(tmp_path)!r}]
        if sys.argv[1] == "bytes":
            from easel.pyside_import_hook import answer_from_bytes
            assert answer_from_bytes()
        from PySide6.QtCore import QObject
        import snake_user, camel_user
        obj = QObject()
        obj.setObjectName("kept")
        print(snake_user.name_of(obj), camel_user.name_of(obj))
        """
    )
    outputs = []
    for check in ("bytes", "pyside"):
        done = subprocess.run(
            [sys.executable, "-c", script, check],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        outputs.append(done.stdout.split())
    assert outputs == [["kept", "kept"], ["kept", "kept"]]
