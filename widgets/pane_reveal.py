"""Bringing back a splitter pane the user folded away, when something in it needs to be seen.

The main splitter lets the user collapse the chat or the artifact panel to nothing (dragging a
handle past the pane's minimum). A collapsed panel would hide a new artifact the model starts
writing, or the one whose card the user just clicked, so the panel asks to be revealed: it gets
back a share of the width, taken from the widest other pane, and the other panes keep theirs.
"""

from __future__ import annotations

from PySide6.QtWidgets import QSplitter

# The share of the splitter a revealed pane gets back.
REVEALED_SHARE = 0.45


def reveal_pane(splitter: QSplitter, index: int, share: float = REVEALED_SHARE) -> bool:
    """Give a collapsed pane back `share` of the width; False when it was not collapsed."""
    sizes = splitter.sizes()
    if not 0 <= index < len(sizes) or sizes[index] > 0 or not splitter.widget(index).isVisible():
        return False
    total = sum(sizes)
    wanted = max(round(total * share), splitter.widget(index).minimumSizeHint().width())
    widest = max((i for i in range(len(sizes)) if i != index), key=lambda i: sizes[i])
    given = min(wanted, sizes[widest])
    sizes[widest] -= given
    sizes[index] = given
    splitter.setSizes(sizes)
    return True
