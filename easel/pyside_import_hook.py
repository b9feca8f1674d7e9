"""PySide6's per-import source check, answered from the file's bytes (~30 ms of a start).

Once PySide6 is imported it asks, of every module imported after it, whether the module's
source names "PySide6" (so that `from __feature__ import snake_case` switches only modules that
use Qt). It asks through `inspect.getsource`: tokenize to find the encoding, linecache to keep
every line of every module. A desktop start imports ~250 modules after PySide6: measured on our
2-core machines, the check took 32–43 ms of the GUI thread's start-up and the byte search 7–11 ms,
with the same answers. Easel uses no `__feature__`, so the answer only has to stay right for
code that does.

`answer_from_bytes()` is called before the first `PySide6` import. Where PySide6 no longer has
the check (a later version), it changes nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from types import ModuleType


def answer_from_bytes() -> bool:
    """Make PySide6's "does this module use PySide6" check read the module's file as bytes.

    Returns whether the check was found and replaced."""
    import shiboken6  # noqa: F401  (loads PySide6's support modules, the check among them)

    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or not callable(original):
        return False
    if getattr(original, "reads_bytes", False):
        return True
    feature._mod_uses_pyside = _from_bytes(original)
    return True


def _from_bytes(original: Callable[[ModuleType], bool]) -> Callable[[ModuleType], bool]:
    def uses_pyside(module: ModuleType) -> bool:
        spec = getattr(module, "__spec__", None)  # its origin: the file it was loaded from
        path = getattr(spec, "origin", None) if getattr(spec, "has_location", False) else None
        if not (isinstance(path, str) and path.endswith(".py")):
            return original(module)  # built in, compiled, or only bytecode: PySide6's own answer
        try:
            with open(path, "rb") as file:
                return b"PySide6" in file.read()
        except OSError:
            return original(module)

    uses_pyside.reads_bytes = True  # type: ignore[attr-defined]
    return uses_pyside
