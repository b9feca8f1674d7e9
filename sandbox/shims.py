"""Scripts Easel puts in every artifact frame before the page's own code runs.

Two scripts, both injected at document creation:
- `inert_apis_script` (the page's own world, every frame): `RTCPeerConnection` and
  `WebTransport` cannot be switched off by an engine flag, so they become constructors that
  throw a `NotAllowedError` the page can catch, and each attempt is reported. A frame a script
  creates starts as about:blank, where document-creation scripts do not run; its window is
  sealed when the page reaches it through `contentWindow`/`contentDocument`. Reached another way
  (`window[0]`), the native constructor is still there, and the engine switches are what stop it
  (no UDP; TURN over TCP is refused by the gate and reported). The report is a
  console line starting with a secret mark that only `ArtifactPage` knows; the page cannot read
  the mark (it lives in a closure, and the console function is bound before the page can replace
  it), so a page can neither forge nor hide a report. The engine switches
  (`sandbox.engine`) stay the wall; this is the second layer and the voice that says "blocked".
- `LINK_RECORDER` (Easel's isolated world, invisible to the page): remembers the last link the
  user really clicked (`event.isTrusted`), so a navigation is handed to the system browser only
  when it goes where the user's click went. A script's `location = …`, `window.open(…)` or
  `a.click()` right after a key press is not a click on a link.
"""

from __future__ import annotations

import json
import secrets

from PySide6.QtWebEngineCore import QWebEngineScript

_INERT_APIS = """(() => {
  const report = console.error.bind(console);
  const mark = %(mark)s;
  const urls = (config) => {
    try {
      const servers = (config && config.iceServers) || [];
      return servers.flatMap((s) => [].concat(s.urls || s.url || [])).join(" ") || "(no servers)";
    } catch (error) { return "(unreadable servers)"; }
  };
  const describe = {
    RTCPeerConnection: (args) => "WebRTC " + urls(args[0]),
    webkitRTCPeerConnection: (args) => "WebRTC " + urls(args[0]),
    WebTransport: (args) => "WebTransport " + String(args[0]),
  };
  const sealed = new WeakSet();
  const seal = (win) => {
    if (!win || sealed.has(win)) return;
    sealed.add(win);
    for (const name of Object.keys(describe)) {
      const existing = Object.getOwnPropertyDescriptor(win, name);
      // Sealed already (by the parent's getter, before this frame's own script ran).
      if (!existing || !existing.configurable || typeof existing.value !== "function") continue;
      const inert = function () {
        const what = describe[name](arguments);
        report(mark + what);
        throw new win.DOMException(what + " is not available in Easel's sandbox", "NotAllowedError");
      };
      Object.defineProperty(win, name, {value: inert, writable: false, configurable: false});
    }
  };
  seal(window);
  // A frame made by script starts as about:blank, where no document-creation script runs:
  // its window is sealed when the page reaches for it through its element.
  const frames = [
    [HTMLIFrameElement.prototype, "contentWindow", (v) => v],
    [HTMLIFrameElement.prototype, "contentDocument", (v) => v && v.defaultView],
    [HTMLFrameElement.prototype, "contentWindow", (v) => v],
    [HTMLFrameElement.prototype, "contentDocument", (v) => v && v.defaultView],
    [HTMLObjectElement.prototype, "contentWindow", (v) => v],
    [HTMLObjectElement.prototype, "contentDocument", (v) => v && v.defaultView],
  ];
  for (const [proto, property, windowOf] of frames) {
    const original = Object.getOwnPropertyDescriptor(proto, property);
    if (!original || !original.get) continue;
    Object.defineProperty(proto, property, {
      configurable: false,
      enumerable: original.enumerable,
      get() {
        const value = original.get.call(this);
        try { seal(windowOf(value)); } catch (error) { /* another origin's window */ }
        return value;
      },
    });
  }
})();"""

LINK_RECORDER = """(() => {
  const note = (event) => {
    if (!event.isTrusted) return;
    for (const node of event.composedPath()) {
      if (node instanceof Element && node.matches("a[href], area[href]")) {
        window.__easelLink = {href: node.href, at: Date.now()};
        return;
      }
    }
  };
  window.addEventListener("click", note, true);
  window.addEventListener("auxclick", note, true);
})();"""

# Asked in Easel's world when a navigation arrives: the href of a real click in the last 3 s, once.
TAKE_CLICKED_LINK = """(() => {
  const link = window.__easelLink;
  window.__easelLink = null;
  return link && Date.now() - link.at < 3000 ? link.href : null;
})()"""


def new_report_mark() -> str:
    """A fresh secret prefix for the inert APIs' reports (one per profile)."""
    return f"easel-blocked-{secrets.token_hex(12)}: "


def sandbox_scripts(mark: str) -> list[QWebEngineScript]:
    """The scripts for every artifact frame, ready for `profile.scripts().insert`."""
    inert = _script("easel-inert-apis", _INERT_APIS % {"mark": json.dumps(mark)})
    inert.setWorldId(QWebEngineScript.ScriptWorldId.MainWorld)
    recorder = _script("easel-link-recorder", LINK_RECORDER)
    recorder.setWorldId(QWebEngineScript.ScriptWorldId.ApplicationWorld)
    return [inert, recorder]


def _script(name: str, source: str) -> QWebEngineScript:
    script = QWebEngineScript()
    script.setName(name)
    script.setSourceCode(source)
    script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
    script.setRunsOnSubFrames(True)
    return script
