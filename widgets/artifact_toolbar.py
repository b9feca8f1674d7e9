"""The row above an artifact: Preview / Code / Changes, the version picker, status and actions.

Only the buttons live here; the artifact tab connects them to what they do, so this module
knows nothing of versions, the sandbox or files. On a narrow panel what does not fit moves into
the ⋯ menu (widgets/toolbar_overflow.py), least needed first: the status and model labels, the
version picker, Publish, Console, Print, Save, then the view switches; Fix (shown only when the
page has errors) stays longest.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QLabel,
    QToolButton,
    QWidget,
)

from app.i18n import translate
from widgets.toolbar_overflow import OverflowRow


class ArtifactToolbar(OverflowRow):
    """View switches and version picker on the left; Fix, Console, Save, Print, Publish, ⋯."""

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
        self.version_combo.setToolTip(translate("ArtifactToolbar", "Version"))
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
        self.publish_button = tool_button(
            translate("ArtifactToolbar", "Publish"),
            self,
            tip=translate("ArtifactToolbar", "Serve this page on this computer, with a QR code"),
        )
        self.publish_button.setObjectName("publishButton")
        self._lay_out()

    def _lay_out(self) -> None:
        # (widget, priority): lower numbers stay in the row longer when room runs out.
        left = (
            (self.preview_button, 2),
            (self.code_button, 2),
            (self.changes_button, 3),
            (self.version_combo, 8),
            (self.status, 10),
        )
        for widget, priority in left:
            self.add_left(widget, priority)
        right = (
            (self.model_usage, 11),
            (self.fix_button, 1),
            (self.console_button, 6),
            (self.save_button, 4),
            (self.print_button, 5),
            (self.publish_button, 7),
        )
        for widget, priority in right:
            self.add_right(widget, priority)
        self.finish()

    def set_more_actions(self, entries: Sequence[tuple[str, Callable[[], object]]]) -> None:
        """The ⋯ menu's own entries: (text, what it does) in order, below what overflowed."""
        self.set_extra_entries(list(entries))

    def set_counts(self, lines: int, errors: int, *, can_fix: bool) -> None:
        """ "Console (N)", and "Fix N errors" when there are errors and a fix can be asked."""
        console = translate("ArtifactToolbar", "Console ({count})").format(count=f"{lines:,}")
        self.console_button.setText(console if lines else translate("ArtifactToolbar", "Console"))
        if errors == 1:
            fix = translate("ArtifactToolbar", "Fix {count} error")
        else:
            fix = translate("ArtifactToolbar", "Fix {count} errors")
        self.fix_button.setText(fix.format(count=f"{errors:,}"))
        self.set_wanted(self.fix_button, errors > 0 and can_fix)

    def set_model_usage(self, calls: int, tokens: int) -> None:
        """ "Model: N calls · T tokens" once the artifact has asked the model."""
        if calls == 1:
            usage = translate("ArtifactToolbar", "Model: {calls} call · {tokens} tokens")
        else:
            usage = translate("ArtifactToolbar", "Model: {calls} calls · {tokens} tokens")
        self.model_usage.setText(usage.format(calls=f"{calls:,}", tokens=f"{tokens:,}"))
        self.set_wanted(self.model_usage, calls > 0)


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
