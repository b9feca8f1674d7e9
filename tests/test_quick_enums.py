"""PySide6's enum classes made the quick way are the classes the functional API makes
(easel/quick_enums.py).

Real parts: every enum class of every Qt module Easel uses, made by PySide6 itself in a fresh
interpreter, each both ways from the same definition and compared; functional-API definitions
of every other shape handed on unchanged. The whole suite runs with the quick way installed
(tests/conftest.py), as the app does.
"""

from __future__ import annotations

import enum
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from easel.quick_enums import install, quick_create

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="Python 3.11 only")

# Made in a fresh interpreter: each definition PySide6 hands the functional API, made by the
# original and by the quick way from the same frame depth, then described and compared.
COMPARE = r"""
import enum, re, sys
sys.path.insert(0, ROOT)
from easel.quick_enums import quick_create

original = enum.EnumType._create_
quick = quick_create(original)
made, quick_made, differing = [0], [0], []


def shown(value):  # a method's repr, without the addresses of the two classes
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))


def describe(kind):
    members = list(kind.__members__.items())
    seen = {
        "mro": [c.__name__ for c in kind.__mro__],
        "members": [(name, m.name, m.value) for name, m in members],
        "names": list(kind._member_names_),
        "iteration": [(m.name, m.value) for m in kind],
        "by_value": sorted((value, m.name) for value, m in kind._value2member_map_.items()),
        "doc": kind.__doc__, "module": kind.__module__, "qualname": kind.__qualname__,
        "shown": [(repr(m), str(m), format(m), bool(m), hash(m) == hash(m.value))
                  for _, m in members],
        "attributes": sorted(vars(kind)),
        "methods": {name: shown(getattr(kind, name, None)) for name in (
            "__repr__", "__str__", "__format__", "__reduce_ex__", "__or__", "__and__",
            "__xor__", "__invert__", "_iter_member_", "_missing_", "_new_member_")},
    }
    if issubclass(kind, enum.Flag):
        seen["masks"] = (kind._flag_mask_, kind._singles_mask_, kind._all_bits_, kind._boundary_)
        if len(members) >= 2:
            a, b = members[0][1], members[-1][1]
            seen["operators"] = [repr(x) for x in (a | b, a & b, a ^ b, ~a, kind(a.value | b.value))]
    return seen


def both(cls, *args, **kwargs):
    made[0] += 1
    usual = (lambda: original(cls, *args, **kwargs))()
    quickly = (lambda: quick(cls, *args, **kwargs))()
    if type(quickly) is type(usual) and quickly.__bases__ == usual.__bases__:
        quick_made[0] += 1
    if describe(usual) != describe(quickly):
        differing.append(args[0])
    return usual


enum.EnumType._create_ = both
from PySide6 import (QtCore, QtGui, QtNetwork, QtPdf, QtPdfWidgets, QtPrintSupport, QtSvg,
                     QtWebEngineCore, QtWebEngineWidgets, QtWidgets)
for module in (QtCore, QtGui, QtNetwork, QtPdf, QtPdfWidgets, QtPrintSupport, QtSvg,
               QtWebEngineCore, QtWebEngineWidgets, QtWidgets):
    for name in dir(module):
        value = getattr(module, name)
        if isinstance(value, type):
            for inner in dir(value):  # a class's enums are made when it is first touched
                try:
                    getattr(value, inner)
                except Exception:
                    pass
print(made[0], quick_made[0], differing)
"""


def test_every_enum_class_pyside_makes_is_the_same_made_quickly():
    result = subprocess.run(
        [sys.executable, "-c", f"ROOT = {str(ROOT)!r}\n{COMPARE}"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    made, quick_made, differing = result.stdout.strip().splitlines()[-1].split(" ", 2)
    assert int(made) > 700  # Qt's enums, flags among them
    assert int(quick_made) == int(made)
    assert differing == "[]"


def _original():
    create = enum.EnumType._create_
    return getattr(create, "original", create)


DEFINITIONS = [
    (enum.IntEnum, [("RED", 1), ("CRIMSON", 1), ("BLUE", 2), ("NEGATIVE", -3)], {}),
    (enum.Enum, [("A", 10), ("B", 20)], {"qualname": "Outer.Letters"}),
    (enum.IntFlag, [("READ", 1), ("WRITE", 2), ("BOTH", 3), ("BIG", 1 << 40)], {}),
    (enum.Flag, [("X", 1), ("Y", 4)], {"boundary": enum.FlagBoundary.KEEP}),
    (enum.IntEnum, [], {}),
    # Not plain: each goes the usual way, and must come out as the usual way makes it.
    (enum.Enum, "LOW HIGH", {}),
    (enum.Enum, ["LOW", "HIGH"], {"start": 5}),
    (enum.Enum, {"ON": 1, "OFF": 0}, {}),
    (enum.IntEnum, [("_hidden", 1), ("SHOWN", 2)], {}),
    (enum.Enum, [("YES", True), ("NO", False)], {}),
    (enum.Enum, [("NAME", "text")], {}),
    (enum.Enum, [("A", 1)], {"type": str}),
]


@pytest.mark.parametrize(("base", "names", "options"), DEFINITIONS)
def test_a_definition_made_quickly_equals_the_usual_class(base, names, options):
    quick = quick_create(_original())
    usual = _original()(base, "Kind", names, module=__name__, **options)
    made = quick(base, "Kind", names, module=__name__, **options)
    assert type(made) is type(usual) and made.__bases__ == usual.__bases__
    assert [(m.name, m.value) for m in made] == [(m.name, m.value) for m in usual]
    assert {n: (m.name, m.value) for n, m in made.__members__.items()} == {
        n: (m.name, m.value) for n, m in usual.__members__.items()
    }
    assert [repr(m) for m in made] == [repr(m) for m in usual]
    assert sorted(vars(made)) == sorted(vars(usual))
    assert (made.__module__, made.__qualname__, made.__doc__) == (
        usual.__module__,
        usual.__qualname__,
        usual.__doc__,
    )
    if issubclass(made, enum.Flag) and len(made.__members__) > 1:
        first, *_, last = made.__members__.values()
        assert repr(first | last) == repr(usual[first.name] | usual[last.name])
        assert made._flag_mask_ == usual._flag_mask_


Quick = enum.IntEnum("Quick", [("ONE", 1), ("TWO", 2)])  # made by the stand-in (conftest)


def test_installed_for_the_suite_and_its_classes_pickle():
    assert install() is True  # already in place: nothing changes
    assert getattr(enum.EnumType._create_, "quick_enums", False)
    assert pickle.loads(pickle.dumps(Quick.TWO)) is Quick.TWO
    assert Quick(1) is Quick.ONE and Quick["TWO"] == 2
    with pytest.raises(ValueError):
        Quick(3)


def test_pyside_enums_made_quickly_behave_as_qt_expects(qapp):
    from PySide6.QtCore import QEvent, Qt
    from PySide6.QtWidgets import QLabel

    label = QLabel("x")
    label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
    assert label.alignment() == Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop
    assert Qt.AlignmentFlag.AlignCenter in Qt.AlignmentFlag.AlignCenter
    assert QEvent.Type(QEvent.Type.User.value + 7).value == QEvent.Type.User.value + 7  # _missing_
    assert pickle.loads(pickle.dumps(Qt.Key.Key_Escape)) is Qt.Key.Key_Escape
    label.deleteLater()


def test_a_caller_without_a_module_name_gets_an_unpicklable_class_either_way(monkeypatch):
    made = {}
    for way, create in (("usual", _original()), ("quick", quick_create(_original()))):
        monkeypatch.setattr(enum.EnumType, "_create_", create)
        scope = {"enum": enum}  # globals with no __name__, as exec'd code may have
        exec("Kind = enum.IntEnum('Kind', [('A', 1), ('B', 2)])", scope)
        made[way] = scope["Kind"]
    for kind in made.values():
        assert kind.__module__ == "<unknown>"
        with pytest.raises(TypeError):
            pickle.dumps(kind.A)
    assert sorted(vars(made["quick"])) == sorted(vars(made["usual"]))
