"""The Code view of an artifact: the editor, and the bar that appears once the user edits it."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.i18n import translate
from widgets.code_editor import CodeEditor


class ArtifactCodePage(QWidget):
    """The code editor under a "You edited the code. Discard / Run as new version" bar."""

    # The user asked to run their edit (the button or Ctrl+Return).
    runRequested = Signal()
    # The user threw their edit away.
    discardRequested = Signal()

    def __init__(self, code: CodeEditor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.code = code
        self.edit_bar = QWidget(self)
        self.edit_bar.setObjectName("editBar")
        self.run_button = QPushButton(
            translate("ArtifactCodePage", "Run as new version"), self.edit_bar
        )
        self.run_button.setObjectName("primary")
        self.discard_button = QPushButton(translate("ArtifactCodePage", "Discard"), self.edit_bar)
        row = QHBoxLayout(self.edit_bar)
        row.setContentsMargins(8, 4, 8, 4)
        note = QLabel(translate("ArtifactCodePage", "You edited the code."), self.edit_bar)
        note.setWordWrap(True)  # a narrow panel wraps it rather than demanding its width
        row.addWidget(note, 1)
        row.addStretch(1)
        row.addWidget(self.discard_button)
        row.addWidget(self.run_button)
        self.edit_bar.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.edit_bar)
        layout.addWidget(code, 1)
        self.run_button.clicked.connect(self.runRequested)
        self.discard_button.clicked.connect(self.discardRequested)
        QShortcut(QKeySequence("Ctrl+Return"), code, self.runRequested.emit)
