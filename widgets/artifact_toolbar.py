"""The row above an artifact: Preview / Code / Changes, the version picker, status and actions.

Only the buttons live here; the artifact tab connects them to what they do, so this module
knows nothing of versions, the sandbox or files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QToolButton,
    QWidget,
)

from app.i18n import translate


class ArtifactToolbar(QWidget):
    """View switches and version picker on the left; Fix, Console, Save, Print, More on the right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("artifactToolbar")
        self.preview_button = tool_button(
            translate("ArtifactToolbar", "Preview"), self, checkable=True
        )
        self.code_button = tool_button(translate("ArtifactToolbar", "Code"), self, checkable=True)
        self.changes_button = tool_button(
            translate("ArtifactToolbar", "Changes"),
            self,
            checkable=True,
            tip=translate("ArtifactToolbar", "Compare versions, restore an older one"),
        )
        self.preview_button.setChecked(True)
        group = QButtonGroup(self)
        for button in (self.preview_button, self.code_button, self.changes_button):
            group.addButton(button)
        self.version_combo = QComboBox(self)
        self.version_combo.setObjectName("versionCombo")
        self.version_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.status = QLabel("", self)
        self.status.setObjectName("artifactStatus")
        # The model calls this artifact made in this session (window.claude.complete).
        self.model_usage = QLabel("", self)
        self.model_usage.setObjectName("artifactModelUsage")
        self.model_usage.setToolTip(
            translate("ArtifactToolbar", "Model calls this artifact made in this session")
        )
        self.model_usage.hide()
        self.fix_button = tool_button(
            translate("ArtifactToolbar", "Fix"),
            self,
            tip=translate("ArtifactToolbar", "Send the page's errors to the model for a fix"),
        )
        self.fix_button.setObjectName("fixButton")
        self.fix_button.hide()
        self.console_button = tool_button(
            translate("ArtifactToolbar", "Console"), self, checkable=True
        )
        self.save_button = tool_button(
            translate("ArtifactToolbar", "Save"),
            self,
            tip=translate("ArtifactToolbar", "Save as one .html file that runs offline (Ctrl+S)"),
        )
        self.print_button = tool_button(
            translate("ArtifactToolbar", "Print"),
            self,
            tip=translate("ArtifactToolbar", "Print or save as an A4 PDF (Ctrl+P)"),
        )
        self.more_button = tool_button("⋯", self, tip=translate("ArtifactToolbar", "More"))
        self.more_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._lay_out()

    def _lay_out(self) -> None:
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        left = (
            self.preview_button,
            self.code_button,
            self.changes_button,
            self.version_combo,
            self.status,
        )
        for widget in left:
            row.addWidget(widget)
        row.addStretch(1)
        right = (
            self.model_usage,
            self.fix_button,
            self.console_button,
            self.save_button,
            self.print_button,
            self.more_button,
        )
        for widget in right:
            row.addWidget(widget)

    def set_more_actions(self, entries: Sequence[tuple[str, Callable[[], object]]]) -> None:
        """The ⋯ menu: (text, what it does) in order."""
        menu = QMenu(self)
        for text, slot in entries:
            action = QAction(text, menu)
            action.triggered.connect(slot)
            menu.addAction(action)
        self.more_button.setMenu(menu)

    def set_counts(self, lines: int, errors: int, *, can_fix: bool) -> None:
        """ "Console (N)", and "Fix N errors" when there are errors and a fix can be asked."""
        console = translate("ArtifactToolbar", "Console ({count})").format(count=f"{lines:,}")
        self.console_button.setText(console if lines else translate("ArtifactToolbar", "Console"))
        if errors == 1:
            fix = translate("ArtifactToolbar", "Fix {count} error")
        else:
            fix = translate("ArtifactToolbar", "Fix {count} errors")
        self.fix_button.setText(fix.format(count=f"{errors:,}"))
        self.fix_button.setVisible(errors > 0 and can_fix)

    def set_model_usage(self, calls: int, tokens: int) -> None:
        """ "Model: N calls · T tokens" once the artifact has asked the model."""
        if calls == 1:
            usage = translate("ArtifactToolbar", "Model: {calls} call · {tokens} tokens")
        else:
            usage = translate("ArtifactToolbar", "Model: {calls} calls · {tokens} tokens")
        self.model_usage.setText(usage.format(calls=f"{calls:,}", tokens=f"{tokens:,}"))
        self.model_usage.setVisible(calls > 0)


def tool_button(
    text: str, parent: QWidget, *, tip: str = "", checkable: bool = False
) -> QToolButton:
    """A flat toolbar button with a tooltip."""
    button = QToolButton(parent)
    button.setText(text)
    button.setToolTip(tip or text)
    button.setCheckable(checkable)
    button.setAutoRaise(True)
    return button
