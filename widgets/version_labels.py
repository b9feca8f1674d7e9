"""The names the artifact views give a version's kind and origin, in the window's language.

Shared by the artifact tab (toolbar status, version picker) and the Changes view. Looked up when
shown, not at import, so the translators installed at start-up answer them.
"""

from __future__ import annotations

from app.i18n import translate


def type_label(type_: str) -> str:
    """ "HTML", "Document", "Diagram"… for an artifact's MIME type (the type itself if unknown)."""
    labels = {
        "text/html": "HTML",
        "image/svg+xml": "SVG",
        "text/markdown": translate("VersionLabels", "Document"),
        "application/vnd.react": "React",
        "application/vnd.mermaid": translate("VersionLabels", "Diagram"),
    }
    return labels.get(type_, type_)


def origin_label(origin: str) -> str:
    """How a version came to be: "written", "edited", "your edit", "fixed", "restored"."""
    labels = {
        "full": translate("VersionLabels", "written"),
        "edit": translate("VersionLabels", "edited"),
        "hand": translate("VersionLabels", "your edit"),
        "fix": translate("VersionLabels", "fixed"),
        "restore": translate("VersionLabels", "restored"),
    }
    return labels.get(origin, origin)
