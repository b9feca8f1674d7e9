"""Branches in the window: Edit on your messages, Regenerate on replies, the ‹ 2/3 › switcher.

The transcript shows the conversation's current path (app/store_tree.py). Each of the user's
messages gets an Edit button: the composer takes its text and its files (chips that can be
removed, so the edit is sent with the same files unless the user says otherwise), a bar above
it says a message is being edited (Cancel or Esc leaves it as it was), and Send adds the new
text beside the old message as a new branch. Each finished reply gets Regenerate (a sibling
reply to the same question). A message with siblings shows "‹ 2/3 ›"; its arrows make a
neighbour current and the conversation is shown again along the new path, its artifact panel
included.

These buttons are the transcript page's own actions, carrying its nonce; a link in a reply
cannot press them (widgets/transcript_page.py), and the controller acts only on a message of
the conversation on screen.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app import store_tree
from app.attachment_model import Attachment
from app.attachment_store import attachments_of_message
from app.i18n import translate
from app.store import Store, StoredMessage
from app.store_tree import BranchError
from widgets.artifact_panel import ArtifactPanel
from widgets.composer import Composer
from widgets.transcript import TranscriptView


def message_key(message_id: int) -> str:
    """The transcript's key for a stored message (as widgets.chat.message_key)."""
    return f"m{message_id}"


class EditBar(QFrame):
    """The line above the composer while a sent message is being edited."""

    # The user gave up the edit (Cancel).
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editBar")
        self.label = QLabel(
            translate("EditBar", "Editing your message: Send makes it a new branch."), self
        )
        self.cancel = QPushButton(translate("EditBar", "Cancel"), self)
        self.cancel.setObjectName("cancelEditButton")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel)
        self.cancel.clicked.connect(self.cancelled)
        self.hide()


class BranchActions(QObject):
    """Edit, Regenerate and the switcher for the ChatController (which runs the turns)."""

    def __init__(
        self, store: Store, transcript: TranscriptView, composer: Composer, panel: ArtifactPanel
    ) -> None:
        super().__init__(composer)
        self.store = store
        self.transcript = transcript
        self.composer = composer
        self.panel = panel
        # The user message being edited (its id), while the edit bar shows.
        self.editing: int | None = None
        self._kept_text = ""  # what the composer held before the edit took it
        self._kept_files: tuple[Attachment, ...] = ()  # and the files it was about to send
        self.bar = EditBar(composer)
        layout = composer.layout()
        if layout is not None:
            layout.insertWidget(0, self.bar)  # type: ignore[attr-defined] - a QVBoxLayout
        self.bar.cancelled.connect(self.cancel_edit)
        composer.edit.escaped.connect(self.cancel_edit)

    def decorate_turn(self, messages: Sequence[StoredMessage]) -> None:
        """Edit or Regenerate, and a switcher where there are siblings, on the messages a turn
        showed. Nothing a turn does changes the others' (a 2,000-message path was read and
        decorated whole at the end of every turn: ~30 ms)."""
        for message in messages:
            try:
                group = store_tree.siblings(self.store, message.id)
            except BranchError:
                continue  # deleted meanwhile
            self.decorate_message(message, {message.id: group} if len(group.ids) > 1 else {})

    def decorate_message(
        self, message: StoredMessage, points: dict[int, store_tree.Siblings]
    ) -> None:
        """Edit or Regenerate on one message on screen, and its switcher if it has siblings."""
        key = message_key(message.id)
        if message.role == "user":
            self.transcript.add_action(key, "edit", translate("Transcript", "Edit"))
        elif message.role == "assistant" and message.status != "streaming":
            label = translate("Transcript", "Regenerate")
            self.transcript.add_action(key, "regenerate", label)
        group = points.get(message.id)
        if group is not None:
            previous = translate("Transcript", "Previous version")
            next_ = translate("Transcript", "Next version")
            self.transcript.set_branch(key, group.index, len(group.ids), previous, next_)

    def begin_edit(self, message: StoredMessage) -> None:
        """The composer takes a message of the user's to edit; Send makes it a new branch."""
        if message.role != "user":
            return
        if self.editing is None:
            self._kept_text = self.composer.text()
            self._kept_files = self.composer.attachments()
        self.editing = message.id
        self.composer.set_text(message.content)
        # The edit goes with the message's files unless the user removes them: the model
        # would otherwise lose the CSV the first version of the question carried.
        self.composer.tray.replace(attachments_of_message(self.store, message.id))
        self.bar.show()
        self.composer.focus()

    def cancel_edit(self) -> None:
        """Leave the edit: the composer gets back what it held before."""
        if self.editing is None:
            return
        self.editing = None
        self.bar.hide()
        self.composer.set_text(self._kept_text)
        self.composer.tray.replace(self._kept_files)
        self._kept_text = ""
        self._kept_files = ()

    def take_edit(self) -> int | None:
        """The message being edited, ending the edit (its text is being sent); else None."""
        editing, self.editing = self.editing, None
        if editing is not None:
            self.bar.hide()
            self._kept_text = ""
            self._kept_files = ()
        return editing

    def forget_edit(self) -> None:
        """Another conversation or branch is shown: an edit in progress is dropped."""
        if self.editing is not None:
            self.cancel_edit()

    def clear_from(self, conversation_id: int, message_id: int, *, keep: bool) -> None:
        """Take the path's messages after `message_id` off the screen (and it too unless
        keep), with the artifact versions they made: a new branch is about to grow there."""
        ids = [m.id for m in self.store.messages(conversation_id)]
        if message_id not in ids:
            return
        start = ids.index(message_id) + (1 if keep else 0)
        for gone in ids[start:]:
            self.transcript.remove_message(message_key(gone))
        kept = set(ids[:start])
        versions = self.store.path_versions(conversation_id)
        self.panel.clear(conversation_id)
        self.panel.load([v for v in versions if v.message_id is None or v.message_id in kept])

    def switch(self, conversation_id: int, message_id: int, direction: str) -> bool:
        """Make the neighbouring sibling current ("previous" or "next"); True if it moved."""
        step = {"previous": -1, "next": 1}.get(direction)
        if step is None:
            return False
        before = self.store.path_ids(conversation_id)
        store_tree.switch_sibling(self.store, message_id, step)
        return self.store.path_ids(conversation_id) != before
