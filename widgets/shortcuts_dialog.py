"""The keyboard cheat sheet (Ctrl+/, Help ▸ Keyboard shortcuts) and the commands of the usual keys.

The sheet lists every menu action that has a shortcut, read from the window's actions when it
opens (so a shortcut added to a menu appears by itself), then the keys that belong to one
widget: the composer's, the code view's, full screen's. `wire_shortcut_commands` connects
Search conversations (Ctrl+K), Copy last code block (Ctrl+Shift+C) and the sheet itself.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QMainWindow,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import translate

# How long a status line message about a shortcut stays (ms).
STATUS_MS = 4000


def menu_shortcuts(actions: dict[str, QAction]) -> list[tuple[str, str]]:
    """(what it does, its keys) for every action with a shortcut, in menu order."""
    rows = []
    for action in actions.values():
        keys = [seq.toString(QKeySequence.SequenceFormat.NativeText) for seq in action.shortcuts()]
        if keys:
            # A Chinese menu marks its key as "新对话(&N)": the sheet drops the "(N)" with it.
            text = re.sub(r"\(&\w\)", "", action.text())
            rows.append(
                (
                    text.replace("&&", "\0").replace("&", "").replace("\0", "&"),
                    translate("ShortcutsDialog", " or ").join(keys),
                )
            )
    return rows


def widget_shortcuts() -> list[tuple[str, str]]:
    """Keys that work inside one part of the window (not menu actions)."""
    native = QKeySequence.SequenceFormat.NativeText

    def key(standard: QKeySequence.StandardKey) -> str:
        return QKeySequence(standard).toString(native)

    return [
        (translate("ShortcutsDialog", "Send the message"), translate("ShortcutsDialog", "Enter")),
        (
            translate("ShortcutsDialog", "New line in the message"),
            translate("ShortcutsDialog", "Shift+Enter"),
        ),
        (translate("ShortcutsDialog", "Stop the reply (in the message box)"), "Esc"),
        (translate("ShortcutsDialog", "Find in the code view"), key(QKeySequence.StandardKey.Find)),
        (translate("ShortcutsDialog", "Next match"), key(QKeySequence.StandardKey.FindNext)),
        (
            translate("ShortcutsDialog", "Previous match"),
            key(QKeySequence.StandardKey.FindPrevious),
        ),
        (
            translate("ShortcutsDialog", "Run the edited code"),
            QKeySequence("Ctrl+Return").toString(native),
        ),
        (translate("ShortcutsDialog", "Leave full screen"), "Esc"),
    ]


class ShortcutsDialog(QDialog):
    """A two-column table: what, and which keys."""

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(translate("ShortcutsDialog", "Keyboard shortcuts"))
        rows = menu_shortcuts(actions) + widget_shortcuts()
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setObjectName("shortcutsTable")
        self.table.setHorizontalHeaderLabels(
            [translate("ShortcutsDialog", "Action"), translate("ShortcutsDialog", "Keys")]
        )
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        for row, (what, keys) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(what))
            self.table.setItem(row, 1, QTableWidgetItem(keys))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(520, 560)

    def rows(self) -> list[tuple[str, str]]:
        """What the table shows, row by row."""
        table = self.table
        return [(table.item(r, 0).text(), table.item(r, 1).text()) for r in range(table.rowCount())]


def wire_shortcut_commands(window: QMainWindow) -> None:
    """Ctrl+K, Ctrl+Shift+C and Ctrl+/ on a MainWindow (its sidebar, transcript, actions)."""
    actions: dict[str, QAction] = window.actions  # type: ignore[attr-defined]
    actions["search"].triggered.connect(lambda: focus_search(window))
    actions["copy-code"].triggered.connect(lambda: copy_last_code_block(window))
    actions["shortcuts"].triggered.connect(lambda: show_shortcuts(window))


def focus_search(window: QMainWindow) -> None:
    """Put the cursor in the conversation search (showing the sidebar if it was hidden)."""
    window.actions["toggle-sidebar"].setChecked(True)  # type: ignore[attr-defined]
    sidebar = window.sidebar  # type: ignore[attr-defined]
    focus = getattr(sidebar, "focus_search", None)
    if callable(focus):
        focus()
        return
    sidebar.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
    sidebar.search.selectAll()


def copy_last_code_block(window: QMainWindow) -> None:
    """Copy the last code block of the last reply on screen; the status line says what happened."""
    code = window.transcript.last_code_block()  # type: ignore[attr-defined]
    if code is None:
        window.statusBar().showMessage(
            translate("MainWindow", "The last reply has no code block to copy."), STATUS_MS
        )
        return
    QGuiApplication.clipboard().setText(code)
    lines = code.count("\n") + (0 if code.endswith("\n") else 1)
    window.statusBar().showMessage(
        translate("MainWindow", "Copied the last code block (%n line(s)).", None, lines),
        STATUS_MS,
    )


def show_shortcuts(window: QMainWindow) -> ShortcutsDialog:
    """Open the cheat sheet (not modal to the loop: open(), never exec())."""
    dialog = ShortcutsDialog(window.actions, window)  # type: ignore[attr-defined]
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
