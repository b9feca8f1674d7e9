"""What the first frame does not need, made ready in the background right after it.

Start-up imports only what the window shows at once; the modules below (an artifact tab with its
code editor and Pygments' lexers, the export, the settings and tools dialogs, pypdf and httpx,
the Markdown parser when the first frame's replies were rendered before)
and the common highlighters are loaded by a worker thread once the window is on screen. The thread creates no
Qt object (importing a module only defines classes), and it gives the GIL back every few
milliseconds, so the window stays responsive while it runs. Whatever it has not reached yet is
simply imported by its first user.
"""

from __future__ import annotations

import importlib
import logging

from app.markdown import warm_up_highlighting

log = logging.getLogger(__name__)

# Imported at first use (in functions) rather than at start-up; warmed here in this order.
DEFERRED_MODULES = (
    "widgets.chat_turn",  # the streamed reply's view, with the session's event types
    "widgets.transcript_worker",  # the Markdown worker's link (started after the warm-up)
    "app.session",  # the chat session (made at the first send), and its system prompt
    "app.prompts",
    "widgets.artifact_powers",  # the artifacts' bridge and web profile (the first artifact)
    "sandbox.profile",
    "widgets.artifact_tab",
    "app.transcript_export",
    "widgets.settings_dialogs",
    "widgets.tools_dialog",
    "app.pdf_text",  # pypdf, for a PDF attached (app/attachments.py)
    "app.events",  # the providers and their events: the first connection, model list or
    "app.providers",  # turn (widgets/provider_control.py), ~16 ms of start-up
    "app.connection",
    "app.vision",  # an image attached for a model that may not see it
    "httpx",  # the HTTP client's, made after the first frame (app/connection.py)
    "segno",  # a published page's QR code (app/publish.py)
)


# Imported by the first frame only when one of its stored replies was not rendered before
# (app/render_cache.py); else warmed here, before a reply the app renders itself needs it.
MARKDOWN_PARSER = ("markdown_it", "mdit_py_plugins.tasklists")


def warm_up() -> None:
    """Import the deferred modules and the Markdown parser, then compile the common
    highlighters."""
    for name in (*DEFERRED_MODULES, *MARKDOWN_PARSER):
        try:
            importlib.import_module(name)
        except Exception:  # its first user will import it again and report the error there
            log.debug("warming up %s failed", name, exc_info=True)
    warm_up_highlighting()
