"""Scripts Easel puts in every artifact frame before the page's own code runs.

Three scripts, all injected at document creation:
- `BRIDGE_API` (the page's own world): `window.storage`, `window.claude.complete`,
  `window.easel`, `window.fs.readFile` and the Messages API `fetch`, over the artifact's own
  origin (DESIGN.md §4.1; answered by sandbox/bridge.py).
- `inert_apis_script` (the page's own world, every frame): `RTCPeerConnection` and
  `WebTransport` cannot be switched off by an engine flag, so they become constructors that
  throw a `NotAllowedError` the page can catch, and each attempt is reported; so does
  `navigator.mediaDevices.getDisplayMedia` (screen capture). A frame a script
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
    // Screen capture: QtWebEngine lists the desktop's windows through Xlib before any signal
    // reaches Easel (an X error killed the process on a bare X server), so it never starts.
    const media = win.MediaDevices && win.MediaDevices.prototype;
    const capture = media && Object.getOwnPropertyDescriptor(media, "getDisplayMedia");
    if (capture && capture.configurable) {
      Object.defineProperty(media, "getDisplayMedia", {
        value: function () {
          report(mark + "screen capture (getDisplayMedia)");
          return Promise.reject(new win.DOMException(
            "Screen capture is not available in Easel's sandbox", "NotAllowedError"));
        },
        writable: false, configurable: false,
      });
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
    bridge = _script("easel-bridge-api", BRIDGE_API)
    bridge.setWorldId(QWebEngineScript.ScriptWorldId.MainWorld)
    recorder = _script("easel-link-recorder", LINK_RECORDER)
    recorder.setWorldId(QWebEngineScript.ScriptWorldId.ApplicationWorld)
    return [inert, bridge, recorder]


def _script(name: str, source: str) -> QWebEngineScript:
    script = QWebEngineScript()
    script.setName(name)
    script.setSourceCode(source)
    script.setInjectionPoint(QWebEngineScript.InjectionPoint.DocumentCreation)
    script.setRunsOnSubFrames(True)
    return script


# The APIs of DESIGN.md §4.1 in the page's own world. They talk to the artifact's own origin
# (`/_easel/call`), answered by sandbox/bridge.py for that origin only; a payload too long for
# one URL goes in parts first (`/_easel/part`). Nothing here is secret: a page could send the
# same requests itself, and it would only ever reach its own storage and its own consent.
BRIDGE_API = """(() => {
  if (window.__easelBridge) return;
  Object.defineProperty(window, "__easelBridge", {value: true});
  const nativeFetch = window.fetch.bind(window);
  const PART = 120000;  // characters of JSON per request (a URL may hold 2 MB)
  let sequence = 0;
  const encode = (text) => encodeURIComponent(text);
  const slices = (text) => {
    const parts = [];
    for (let at = 0; at < text.length;) {
      let end = Math.min(at + PART, text.length);
      const code = text.charCodeAt(end - 1);
      if (end < text.length && code >= 0xd800 && code <= 0xdbff) end -= 1;  // keep pairs whole
      parts.push(text.slice(at, end));
      at = end;
    }
    return parts;
  };
  const answer = async (url) => {
    let response;
    try { response = await nativeFetch(url, {cache: "no-store"}); }
    catch (error) { throw new Error("Easel did not answer this artifact's call."); }
    const body = await response.json();
    if (!body.ok) throw new Error(body.error);
    return body.result;
  };
  const call = async (op, payload) => {
    const text = JSON.stringify(payload === undefined ? null : payload);
    const n = ++sequence;
    if (text.length <= PART) {
      return answer(`/_easel/call?op=${encode(op)}&n=${n}&data=${encode(text)}`);
    }
    const upload = `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
    const parts = slices(text);
    for (let index = 0; index < parts.length; index++) {
      await answer(`/_easel/part?upload=${upload}&index=${index}&count=${parts.length}` +
                   `&data=${encode(parts[index])}`);
    }
    return answer(`/_easel/call?op=${encode(op)}&n=${n}&upload=${upload}`);
  };
  const storage = {
    get: (key) => call("storage.get", {key}),
    set: (key, value) => call("storage.set", {key, value}),
    delete: (key) => call("storage.delete", {key}),
    list: (prefix) => call("storage.list", {prefix: prefix || ""}),
  };
  const complete = (request) => call("complete",
    typeof request === "string" ? {prompt: request} : request);
  const readFile = async (name, options) => {
    const file = await call("fs.readFile", {name});
    const bytes = Uint8Array.from(atob(file.base64), (c) => c.charCodeAt(0));
    const encoding = options && options.encoding;
    return encoding ? new TextDecoder(encoding === "utf8" ? "utf-8" : encoding).decode(bytes)
                    : bytes;
  };
  const define = (name, value) => {
    if (!(name in window)) {
      Object.defineProperty(window, name, {value, writable: true, configurable: true});
    }
  };
  define("storage", storage);
  define("claude", {complete});
  define("easel", {complete, storage});
  define("fs", {readFile});
  // Newer Claude artifacts call the Messages API directly; Easel answers it (never that host).
  const MESSAGES = /^https:\\/\\/api\\.anthropic\\.com\\/v1\\/messages\\/?(\\?.*)?$/;
  window.fetch = function (input, init) {
    const url = typeof input === "string" ? input : (input && input.url) || String(input);
    if (!MESSAGES.test(url)) return nativeFetch(input, init);
    const body = init && init.body !== undefined ? Promise.resolve(init.body)
      : (input instanceof Request ? input.text() : Promise.resolve(null));
    return body.then((text) => {
      let request;
      try { request = JSON.parse(text); }
      catch (error) { throw new Error("The Messages API call needs a JSON body."); }
      return call("messages", request);
    }).then((message) => new Response(JSON.stringify(message),
      {status: 200, headers: {"content-type": "application/json"}}));
  };
})();"""
