"""One artifact's page: what it may navigate to, its console, dialogs, crashes and hangs.

Navigation: only the artifact's own document loads in the main frame. Measured with Qt 6.11, a
script's `location = url` arrives as `NavigationTypeLinkClicked`, the same type as a real
click, and `window.open` right after a key press counts as user-initiated: neither says whether
the user clicked a link. So every navigation away is refused at once, and then Easel's isolated
world is asked whether the user's last real click (`event.isTrusted`, recorded by
`sandbox.shims.LINK_RECORDER`) was on a link to exactly that URL in the last seconds; only then is
`linkClicked` emitted (the view shows the full URL before anything opens). Everything else is
reported, never followed.

Hangs: QtWebEngine has no "renderer hung" signal. While the heartbeat is on, a tiny
`runJavaScript` probe goes out every second in an isolated world; no answer within the bound
means the renderer is stuck in the page's code, and `hung` is emitted. Console lines count as a
sign of life (a flood of them delays the probe's answer), up to ten bounds. The GUI thread is never
blocked: the probe is asynchronous. `reload_fresh` kills a stuck renderer (its PID is known)
and loads the document again in a new one.
"""

from __future__ import annotations

import os
import signal
import time

from PySide6.QtCore import QObject, QTimer, QUrl, Signal
from PySide6.QtNetwork import QAuthenticator
from PySide6.QtWebEngineCore import (
    QWebEngineFileSystemAccessRequest,
    QWebEngineNewWindowRequest,
    QWebEnginePage,
    QWebEnginePermission,
    QWebEngineProfile,
    QWebEngineScript,
)

from sandbox.page_appearance import follow_app_appearance, load_followed
from sandbox.policy import SCHEME
from sandbox.shims import TAKE_CLICKED_LINK

_LEVELS = {
    QWebEnginePage.JavaScriptConsoleMessageLevel.InfoMessageLevel: "info",
    QWebEnginePage.JavaScriptConsoleMessageLevel.WarningMessageLevel: "warning",
    QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel: "error",
}
_EXTERNAL_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_Status = QWebEnginePage.RenderProcessTerminationStatus
_EASEL_WORLD = QWebEngineScript.ScriptWorldId.ApplicationWorld.value
_HEARTBEAT_MS = 1000
_KILL_SIGNAL = getattr(signal, "SIGKILL", signal.SIGTERM)


class ArtifactPage(QWebEnginePage):
    """A page that shows one artifact document and reports everything it is refused."""

    # A console line: level ("info" | "warning" | "error"), message, source, line.
    consoleMessage = Signal(str, str, str, int)
    # The user clicked a link to an external URL (it was not followed in the page).
    linkClicked = Signal(QUrl)
    # A navigation away from the document or a pop-up was refused: the URL (may be empty).
    navigationRefused = Signal(str)
    # A Web API the sandbox switches off was tried (WebRTC, WebTransport): what, and where to.
    apiBlocked = Signal(str)
    # The renderer died by itself: a sentence saying how.
    crashed = Signal(str)
    # The renderer did not answer the heartbeat within the bound.
    hung = Signal()

    def __init__(
        self,
        profile: QWebEngineProfile,
        parent: QObject | None = None,
        *,
        hang_after_ms: int = 3000,
    ) -> None:
        super().__init__(profile, parent)
        self._document = QUrl()
        self._profile = profile
        self._report_mark = getattr(profile, "report_mark", None)
        self._hang_after = hang_after_ms / 1000
        self._probe_sent: float | None = None
        self._probe_first: float | None = None  # when the unanswered probe first went out
        self._probe_id = 0
        self._hung = False
        self._crashed = False
        self._killing = False
        self._heartbeat = QTimer(self)
        self._heartbeat.setInterval(_HEARTBEAT_MS)
        self._heartbeat.timeout.connect(self._beat)
        self.renderProcessTerminated.connect(self._on_terminated)
        self.permissionRequested.connect(_deny_permission)
        self.fileSystemAccessRequested.connect(_deny_file_system)
        self.newWindowRequested.connect(self._on_new_window)
        self.proxyAuthenticationRequired.connect(self._on_proxy_challenge)
        follow_app_appearance(self)  # prefers-color-scheme (the app's theme) and the zoom

    # -- the document ---------------------------------------------------------------------------

    def open_document(self, url: QUrl) -> None:
        """Load the artifact document at `url`; it becomes the only main-frame destination.

        A renderer stuck in a busy loop would never start the load, so it is killed first and
        the load starts once it is gone (in a fresh renderer).
        """
        self._document = QUrl(url)
        self._probe_sent = None
        pid = self.renderProcessPid()
        if self._hung and not self._crashed and pid > 0 and not self._killing:
            try:
                os.kill(pid, _KILL_SIGNAL)
            except OSError:
                pass
            else:
                self._killing = True
                return  # `_on_terminated` loads the document once the renderer is gone
        self._load_now()

    def is_hung(self) -> bool:
        """Whether the renderer missed the heartbeat (until it answers or is reloaded)."""
        return self._hung

    def reload_fresh(self) -> None:
        """Load the document again; a crashed or stuck renderer is replaced by a new one."""
        self.open_document(self._document)

    def _load_now(self) -> None:
        self._crashed = False
        self._hung = False
        load_followed(self, self._document)  # under the app's colour scheme (page_appearance)

    def _on_terminated(
        self, status: QWebEnginePage.RenderProcessTerminationStatus, code: int
    ) -> None:
        self._probe_sent = None
        if self._killing:
            self._killing = False
            self._load_now()
            return
        if status == _Status.NormalTerminationStatus:
            return
        self._crashed = True
        self.crashed.emit(_termination_sentence(status, code))

    # -- hang detection -------------------------------------------------------------------------

    def set_heartbeat(self, active: bool) -> None:
        """Probe the renderer every second while `active` (the view turns it on when visible)."""
        if active:
            self._heartbeat.start()
        else:
            self._heartbeat.stop()
            self._probe_sent = None

    def _beat(self) -> None:
        if self._crashed or self._killing or self._document.isEmpty():
            return
        now = time.monotonic()
        if self._probe_sent is not None:
            # Console lines arriving push the deadline on (the probe's answer queues behind
            # them), but never past ten bounds: a page looping while it logs is still stuck.
            overdue = now - self._probe_sent > self._hang_after
            too_long = now - (self._probe_first or now) > 10 * self._hang_after
            if not self._hung and (overdue or too_long):
                self._hung = True
                self.hung.emit()
            return
        self._probe_id += 1
        self._probe_sent = self._probe_first = now
        probe = self._probe_id
        world = QWebEngineScript.ScriptWorldId.ApplicationWorld.value
        self.runJavaScript("1", world, lambda _result: self._answered(probe))

    def _answered(self, probe: int) -> None:
        if probe == self._probe_id:  # an answer from before a reload is stale
            self._probe_sent = self._probe_first = None
            self._hung = False

    # -- navigation and windows -----------------------------------------------------------------

    def acceptNavigationRequest(  # noqa: N802 (Qt API)
        self, url: QUrl | str, kind: QWebEnginePage.NavigationType, is_main_frame: bool
    ) -> bool:
        """Allow the artifact's own document; refuse the rest (a user's link may go out)."""
        url = QUrl(url)
        if not is_main_frame or self._is_own_document(url):
            # Frames inside the artifact are governed by the interceptor and the handler.
            return True
        self._hand_out_if_clicked(url)
        return False

    def _on_new_window(self, request: QWebEngineNewWindowRequest) -> None:
        """No pop-ups: a window for a link the user clicked (target=_blank) opens outside."""
        # Not calling request.openIn() leaves the window uncreated.
        self._hand_out_if_clicked(request.requestedUrl())

    def _is_own_document(self, url: QUrl) -> bool:
        return url.scheme() == SCHEME and url.host() == self._document.host()

    def _hand_out_if_clicked(self, url: QUrl) -> None:
        """Emit `linkClicked` if the user's last real click was on a link to `url`, else refuse."""
        if url.scheme() not in _EXTERNAL_LINK_SCHEMES:
            self.navigationRefused.emit(url.toString())
            return
        wanted = QUrl(url)

        def answered(clicked: object) -> None:
            if isinstance(clicked, str) and QUrl(clicked) == wanted:
                self.linkClicked.emit(wanted)
            else:
                self.navigationRefused.emit(wanted.toString())

        self.runJavaScript(TAKE_CLICKED_LINK, _EASEL_WORLD, answered)

    def _on_proxy_challenge(
        self, _url: QUrl, authenticator: QAuthenticator, _proxy_host: str
    ) -> None:
        """Only a profile of an artifact the user allowed online answers the gate's challenge.

        Leaving the authenticator empty cancels the request.
        """
        answer = getattr(self._profile, "answer_proxy", None)
        if answer is not None:
            answer(authenticator)

    # -- console and dialogs --------------------------------------------------------------------

    def javaScriptConsoleMessage(  # noqa: N802 (Qt API)
        self,
        level: QWebEnginePage.JavaScriptConsoleMessageLevel,
        message: str,
        line: int,
        source: str,
    ) -> None:
        """Forward every console line, uncaught error and CSP report."""
        if self._probe_sent is not None:
            self._probe_sent = time.monotonic()  # the page is running: its answer is queued
        if self._report_mark and message.startswith(self._report_mark):
            self.apiBlocked.emit(message[len(self._report_mark) :])
            return
        self.consoleMessage.emit(_LEVELS.get(level, "info"), message, source, line)

    def javaScriptAlert(self, origin: QUrl | str, message: str) -> None:  # noqa: N802 (Qt API)
        """Never a modal dialog: the alert becomes a console line."""
        self.consoleMessage.emit("info", f"alert: {message}", QUrl(origin).toString(), 0)

    def javaScriptConfirm(self, origin: QUrl | str, message: str) -> bool:  # noqa: N802
        """Never a modal dialog: logged, and answered "Cancel"."""
        self.consoleMessage.emit("info", f"confirm: {message}", QUrl(origin).toString(), 0)
        return False

    def javaScriptPrompt(  # noqa: N802 (Qt API)
        self, origin: QUrl | str, message: str, default: str
    ) -> tuple[bool, str]:
        """Never a modal dialog: logged, and answered "Cancel" (the page gets null)."""
        self.consoleMessage.emit("info", f"prompt: {message}", QUrl(origin).toString(), 0)
        return False, ""


def _deny_permission(permission: QWebEnginePermission) -> None:
    """Geolocation, camera, microphone, notifications, clipboard…: always no."""
    permission.deny()


def _deny_file_system(request: QWebEngineFileSystemAccessRequest) -> None:
    request.reject()


def _termination_sentence(status: QWebEnginePage.RenderProcessTerminationStatus, code: int) -> str:
    """A sentence for the user about how the renderer ended."""
    how = {
        _Status.AbnormalTerminationStatus: "ended abnormally",
        _Status.CrashedTerminationStatus: "crashed",
        _Status.KilledTerminationStatus: "was killed",
    }.get(status, "stopped")
    return f"The artifact's renderer {how} (exit code {code})."
