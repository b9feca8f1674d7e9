"""The sidebar's search results: each hit's conversation title over its snippet, the matched
words in bold; "No conversations match" when there are none.

Snippets are the user's and the model's text: each piece is HTML-escaped before the bold tags
go around the matches, so text such as `<img src=x onerror=...>` shows as text, never markup.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QWidget

from app.i18n import translate
from app.store_search import SearchHit


def snippet_html(hit: SearchHit) -> str:
    """The snippet as rich text: escaped text, each match in <b>."""
    parts, end = [], 0
    for start, stop in hit.highlights:
        parts.append(html.escape(hit.snippet[end:start]))
        parts.append("<b>" + html.escape(hit.snippet[start:stop]) + "</b>")
        end = stop
    parts.append(html.escape(hit.snippet[end:]))
    return "".join(parts)


def hit_html(hit: SearchHit) -> str:
    """Title (dimmer, smaller) over the snippet; a title hit shows its highlighted title."""
    if hit.message_id is None:
        return f"<div>{snippet_html(hit)}</div>"
    # "New chat" is stored as the title of a chat not named yet (app/session.py).
    untitled = hit.title in ("", "New chat")
    title = html.escape(translate("SearchResults", "New chat") if untitled else hit.title)
    return f"<div style='font-size: small'>{title}</div><div>{snippet_html(hit)}</div>"


class SearchResults(QListWidget):
    """Hits, best first; clicking one asks to open its conversation at its message."""

    # A hit was chosen: (conversation id, message id or 0 for a title hit).
    hitChosen = Signal(int, int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("searchResults")
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWordWrap(True)
        self.empty = QLabel(translate("SearchResults", "No conversations match"), self)
        self.empty.setObjectName("searchEmpty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.hide()
        self.itemClicked.connect(self._on_clicked)
        self.itemActivated.connect(self._on_clicked)

    def show_hits(self, hits: list[SearchHit]) -> None:
        """Replace the list with these hits (or the empty state)."""
        self.clear()
        for hit in hits:
            item = QListWidgetItem(self)
            item.setData(Qt.ItemDataRole.UserRole, (hit.conversation_id, hit.message_id or 0))
            label = QLabel(hit_html(hit))
            # Rich text built by hit_html only: the text inside is escaped, links never open.
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setOpenExternalLinks(False)
            label.setWordWrap(True)
            label.setContentsMargins(6, 4, 6, 4)
            label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            self.setItemWidget(item, label)
        self._fit_rows()
        self.empty.setVisible(not hits)
        self.empty.setGeometry(self.viewport().geometry())

    def labels(self) -> list[QLabel]:
        """The label of each row, in order (what the user reads)."""
        return [self.itemWidget(self.item(row)) for row in range(self.count())]

    def resizeEvent(self, event) -> None:  # noqa: ANN001 - Qt's event type
        super().resizeEvent(event)
        self.empty.setGeometry(self.viewport().geometry())
        self._fit_rows()

    def _fit_rows(self) -> None:
        """Each row as tall as its wrapped label at the current width."""
        width = self.viewport().width() - 4
        for row in range(self.count()):
            item = self.item(row)
            label = self.itemWidget(item)
            height = label.heightForWidth(width) if width > 40 else -1
            item.setSizeHint(QSize(0, (height if height > 0 else label.sizeHint().height()) + 8))

    def _on_clicked(self, item: QListWidgetItem) -> None:
        conversation_id, message_id = item.data(Qt.ItemDataRole.UserRole)
        self.hitChosen.emit(int(conversation_id), int(message_id))
