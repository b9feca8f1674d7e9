"""PySide6's enum classes made the way the standard library makes its own large enums.

PySide6 makes a Python enum class for each enum of a Qt class the first time Python touches the
class, through enum's functional API: `IntEnum(name, [(member, value), ...])`. A desktop start
makes ~280 of them before the first frame (93 for the `Qt` namespace alone), and the functional
API passes each member through the checks of a class body being written (`EnumDict`, each
member's `__set_name__`): measured on our 2-core machine, the `Qt` namespace took 14-15 ms and
all of them ~35 ms of the GUI thread's start. The standard library makes its own large enums
(socket's, signal's, ssl's) with `enum._simple_enum`, which makes the same class from a plain
class body without those checks: the `Qt` namespace in 9 ms.

`install()` makes PySide6's plain definitions that way: (name, int) pairs, none private or
dunder, for Enum, IntEnum, Flag or IntFlag themselves. Anything else takes the usual way.
tests/test_quick_enums.py makes every enum class of the Qt modules Easel uses both ways and
compares them (members, aliases, values, flags' masks and operators, reprs, the methods). Only on
Python 3.11, whose enum module that comparison was made with; elsewhere nothing changes.
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Callable
from typing import Any

_INSTALLED = "quick_enums"  # the mark on the function that stands in for EnumType._create_
_BASES = (enum.Enum, enum.IntEnum, enum.Flag, enum.IntFlag)
_class = type  # the builtin (the functional API has a keyword of that name)


def install() -> bool:
    """Make plain functional-API enums the quick way from now on; whether it is in place."""
    needed = ("_simple_enum", "_make_class_unpicklable")
    if sys.version_info[:2] != (3, 11) or not all(hasattr(enum, name) for name in needed):
        return False
    if getattr(enum.EnumType._create_, _INSTALLED, False):
        return True
    create = quick_create(enum.EnumType._create_)
    setattr(create, _INSTALLED, True)
    enum.EnumType._create_ = create  # type: ignore[method-assign]
    return True


def quick_create(original: Callable[..., type[enum.Enum]]) -> Callable[..., type[enum.Enum]]:
    """A stand-in for EnumType._create_ (`original`, kept as its `original`) that makes plain
    definitions quickly and hands every other to `original`."""

    def create(
        cls: type[enum.Enum],
        class_name: str,
        names: Any,  # noqa: ANN401 - whatever the functional API takes
        *,
        module: str | None = None,
        qualname: str | None = None,
        type: type | None = None,  # noqa: A002 - the functional API's own keyword
        start: int = 1,
        boundary: enum.FlagBoundary | None = None,
    ) -> type[enum.Enum]:
        if module is None:
            # As EnumType._create_ names it: the module of whoever called the enum class.
            try:
                module = sys._getframe(2).f_globals["__name__"]
            except (ValueError, KeyError):  # no such caller, or one whose globals have no name
                module = None
        body = _plain_members(names) if type is None and cls in _BASES else None
        if body is None:
            # (Where no module was found, the original looks from its own frame and finds
            # enum's: such a class is named after enum instead of made unpicklable.)
            return original(
                cls,
                class_name,
                names,
                module=module,
                qualname=qualname,
                type=type,
                start=start,
                boundary=boundary,
            )
        if module is None:
            enum._make_class_unpicklable(body)  # as the functional API does then
        else:
            body["__module__"] = module
        made = enum._simple_enum(cls, boundary=boundary)(_class(class_name, (), body))
        made.__doc__ = None  # as the functional API leaves it (_simple_enum writes a default)
        if qualname is not None:
            made.__qualname__ = qualname
        return made

    create.original = original  # type: ignore[attr-defined]
    return create


def _plain_members(names: Any) -> dict[str, int] | None:  # noqa: ANN401
    """The members as a class body, if `names` is a list of (name, int) pairs with distinct
    names that are neither private nor dunder; else None."""
    if not isinstance(names, list):
        return None
    body: dict[str, int] = {}
    for item in names:
        if _class(item) is not tuple or len(item) != 2:
            return None
        name, value = item
        if _class(name) is not str or _class(value) is not int:
            return None
        if name.startswith("_") or name in body:
            return None
        body[name] = value
    return body
