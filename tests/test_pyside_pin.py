"""PySide6 6.12.0 drops a reference to None per void Qt call and kills Python 3.11.

pyproject.toml pins a release without the bug; this guards the pin (PITFALLS.md).
"""

import sys

from PySide6.QtCore import QObject, QTimer


def test_void_qt_calls_do_not_leak_none_references(qapp):
    timer = QTimer()
    holder = QObject()
    before = sys.getrefcount(None)
    for i in range(100_000):
        timer.setInterval(i % 100)
        holder.setObjectName("x")
    after = sys.getrefcount(None)
    # Other code may take or drop a few references meanwhile; the bug drops 100,000+.
    assert after > before - 1000
