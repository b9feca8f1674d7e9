"""Strings of Qt's own dialogs that Qt's zh_CN catalogue (qtbase_zh_CN.qm) leaves in English.

Qt 6 renamed a few labels of its file dialog ("&Look in:", "Files of &type:") and its Chinese
catalogue still has only the old ones. Easel's catalogue carries them: QT_TRANSLATE_NOOP marks
them for pyside6-lupdate under Qt's own context, and Easel's translator, installed after Qt's,
answers first (widgets/language.py). tests/test_translations.py checks that Qt still lacks each
one, so the list shrinks when Qt catches up.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP

# (context, source) of each string Qt's own zh_CN catalogue does not translate.
GAPS = (
    ("QFileDialog", QT_TRANSLATE_NOOP("QFileDialog", "&Look in:")),
    ("QFileDialog", QT_TRANSLATE_NOOP("QFileDialog", "Files of &type:")),
)
