"""The artifacts a reply makes, stored as they close: full versions and applied edits.

A full artifact becomes a new version (a continued reply completes the version it cut instead of
writing a second one); an edit is applied to the latest version or reported, never guessed at.
A version the store refuses (the disk is full) leaves its text in the reply, said at the end.
"""

from __future__ import annotations

from app.artifact_segments import ArtifactClosed, EditClosed
from app.edit_repair import REPAIR_STOPPED
from app.edits import EditError, apply_edit
from app.session_events import ArtifactSaved, EditFailed, EditRepair, Listener
from app.session_reply import Reply
from app.store import ArtifactVersion, Store
from app.store_errors import StoreError


def save_artifact(
    store: Store, conversation_id: int, closed: ArtifactClosed, reply: Reply, listener: Listener
) -> None:
    """Store an artifact that closed as a new version (or complete a continued one)."""
    # No checkpoint here: the version row is the artifact's record, and the reply's text
    # is written on the clock (one per close made 1,500 tiny artifacts quadratic).
    cut = _cut_version(closed.identifier, reply)
    opened = reply.opened.get(closed.identifier, ("text/html", closed.identifier))
    try:
        if cut is not None:
            version = store.complete_artifact_version(
                cut.id, closed.content, complete=closed.complete
            )
        else:
            version = store.add_artifact_version(
                conversation_id,
                closed.identifier,
                opened[0],
                opened[1],
                closed.content,
                origin=reply.origin or "full",
                message_id=reply.message_id,
                complete=closed.complete,
            )
    except StoreError as error:
        reply.version_error = error  # its text is in the reply, written when there is room
        return
    listener(ArtifactSaved(version))


def _cut_version(identifier: str, reply: Reply) -> ArtifactVersion | None:
    """The incomplete version this (continued) reply left of an artifact, if any."""
    for version in reply.replayed_versions:
        if version.identifier == identifier and not version.complete:
            reply.replayed_versions.remove(version)
            return version
    return None


def apply_edit_segment(
    store: Store, conversation_id: int, edit: EditClosed, reply: Reply, listener: Listener
) -> None:
    """Apply an edit that closed to the artifact's latest version, or say why it cannot."""
    latest = store.latest_artifact(conversation_id, edit.identifier)
    if latest is None:
        failure = EditFailed(edit.identifier, f"there is no artifact “{edit.identifier}” yet")
    elif not edit.complete:
        failure = EditFailed(edit.identifier, "the edit was cut off before it ended")
    else:
        try:
            content = apply_edit(latest.content, edit.pairs)
        except EditError as error:
            failure = EditFailed(edit.identifier, str(error))
        else:
            try:
                version = store.add_artifact_version(
                    conversation_id,
                    latest.identifier,
                    latest.type,
                    latest.title,
                    content,
                    origin=reply.origin or "edit",
                    message_id=reply.message_id,
                )
            except StoreError as error:
                reply.version_error = error
                return
            listener(ArtifactSaved(version))
            return
    reply.failed_edits.append(failure)
    listener(failure)
    if reply.automatic and len(reply.failed_edits) == 1:
        # No follow-up will be asked for this reply: say so now, before it ends.
        listener(EditRepair(False, REPAIR_STOPPED))
