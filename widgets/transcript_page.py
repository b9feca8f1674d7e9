"""The transcript's web page: it loads only its own file, and its actions carry a secret.

The page has no bridge. Its buttons and cards ask for an action by navigating to the page's
own URL with a query, ``transcript.html?action=ACTION&message=KEY&arg=ARG&nonce=NONCE``, which
:class:`TranscriptPage` intercepts and refuses (a private scheme would not do: Chromium hands
unknown schemes to the system).

The model's Markdown can contain links too, and a relative link such as ``?action=retry``
resolves to that very URL. So every action must carry the page's *nonce*: random, made when
the page loads, handed to the page's script with ``runJavaScript`` and kept in a closure there,
never in the DOM. Markdown cannot read it (raw HTML is escaped, no model script runs under the
page's CSP), so a link in a reply cannot carry it; an action without it does nothing. After the
first load the page never navigates again: a model link to ``transcript.html`` or ``?x`` would
otherwise reload the page and blank the conversation. Clicked ``http``, ``https`` and
``mailto`` links go to the system browser; everything else is ignored.
"""

from __future__ import annotations

import logging
import secrets

from PySide6.QtCore import QObject, QUrl, QUrlQuery, Signal
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings

from app.resources import asset

log = logging.getLogger(__name__)

PAGE = asset("transcript", "transcript.html")
# The actions the page's own buttons ask for; any other name is refused.
ACTIONS = frozenset(
    {
        "copy",
        "retry",
        "continue",
        "open-code-as-artifact",
        "open-artifact",
        "prompt",
        "tool-approve",
        "edit",
        "regenerate",
        "switch",
    }
)
# Schemes a clicked link may hand to the system; anything else is ignored.
_EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto"})

_Attr = QWebEngineSettings.WebAttribute
SETTINGS: dict[QWebEngineSettings.WebAttribute, bool] = {
    _Attr.JavascriptCanOpenWindows: False,  # on by default
    _Attr.LocalContentCanAccessRemoteUrls: False,
    _Attr.JavascriptCanAccessClipboard: False,  # copying goes through Qt
    _Attr.NavigateOnDropEnabled: False,  # a dropped file would replace the transcript
    _Attr.DnsPrefetchEnabled: False,
    _Attr.HyperlinkAuditingEnabled: False,
    _Attr.PluginsEnabled: False,
}


class TranscriptPage(QWebEnginePage):
    """The transcript's page: loads its own file once; turns nonce-carrying clicks into actions."""

    # The page asked for an action: action, message key, argument.
    actionClicked = Signal(str, str, str)
    # The user clicked a link to leave the transcript (http, https, mailto).
    externalLinkClicked = Signal(QUrl)

    def __init__(self, profile: QWebEngineProfile, parent: QObject | None = None) -> None:
        super().__init__(profile, parent)
        self._home = QUrl.fromLocalFile(str(PAGE))
        self._loading_started = False
        # Replaced when the page loads; until the page has it, no action can match.
        self.nonce = secrets.token_urlsafe(32)
        for attribute, value in SETTINGS.items():
            self.settings().setAttribute(attribute, value)
        # How the first load ended (None: not yet), for a view that takes the page over after
        # it loaded (widgets/early_start.py starts it before the window exists).
        self.first_load: bool | None = None
        self.loadFinished.connect(self._note_first_load)

    def _note_first_load(self, ok: bool) -> None:
        if self.first_load is None:
            self.first_load = ok

    @property
    def home(self) -> QUrl:
        """The page's own file."""
        return QUrl(self._home)

    def acceptNavigationRequest(  # noqa: N802 - Qt override
        self, url: QUrl | str, type_: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        url = QUrl(url)
        if url.isLocalFile() and url.toLocalFile() == self._home.toLocalFile():
            if not self._loading_started and not url.hasQuery():
                # The one load of the page: a fresh secret for its actions.
                self._loading_started = True
                self.nonce = secrets.token_urlsafe(32)
                return True
            self._own_url(QUrlQuery(url))
            return False
        clicked = type_ == QWebEnginePage.NavigationType.NavigationTypeLinkClicked
        if clicked and url.scheme() in _EXTERNAL_SCHEMES:
            self.externalLinkClicked.emit(url)
        return False

    def _own_url(self, query: QUrlQuery) -> None:
        """An action if the query carries the nonce and a known action; otherwise nothing."""
        decode = QUrl.ComponentFormattingOption.FullyDecoded
        action, key, arg, nonce = (
            query.queryItemValue(n, decode) for n in ("action", "message", "arg", "nonce")
        )
        if not nonce or not secrets.compare_digest(nonce.encode(), self.nonce.encode()):
            # A link in the model's text (or a reload): not the app's own button.
            log.info("refused a transcript link without the page's nonce (action %r)", action)
            return
        if action not in ACTIONS:
            log.warning("refused an unknown transcript action %r", action)
            return
        self.actionClicked.emit(action, key, arg)

    def javaScriptConsoleMessage(  # noqa: N802 - Qt override
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        # Our own page: any console line is a bug worth seeing in the log.
        log.warning("transcript.js:%d: %s", line, message)
