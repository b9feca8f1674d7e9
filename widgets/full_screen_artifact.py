"""One artifact alone on the whole screen, in the same sandbox and origin; Esc leaves."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QVBoxLayout, QWidget

from app.documents import artifact_document
from app.store import ArtifactVersion
from sandbox.profile import ArtifactProfile
from sandbox.view import ArtifactView


class FullScreenArtifact(QWidget):
    """A top-level window showing one artifact full screen."""

    def __init__(
        self,
        profile: ArtifactProfile,
        key: str,
        version: ArtifactVersion,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(version.title)
        self.view = ArtifactView(profile, self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        page = artifact_document(version.type, version.content, version.title)
        self.view.show_document(key, page)
