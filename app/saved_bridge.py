"""A saved artifact keeps working in any browser: the §4.1 APIs without Easel (DESIGN.md §4.1).

`with_offline_bridge(page)` puts a small script first in the page: `window.storage` backed by the
browser's `localStorage` (same shapes as inside Easel), and `window.claude.complete`,
`window.fs.readFile` and the Messages API `fetch` rejecting with an Error that says why. Inside
Easel the real bridge is defined before any page script runs, and this one then leaves it alone.
"""

from __future__ import annotations

import re

_OFFLINE_BRIDGE = """<script>/* Easel: window.storage and friends outside Easel */
(() => {
  const outside = "This page was saved from Easel: model calls and attached files work only " +
    "inside Easel.";
  const prefix = "easel-storage:";
  const local = () => { try { return window.localStorage; } catch (e) { return null; } };
  const keep = new Map();  // when localStorage is off (a file:// page in some browsers)
  const read = (key) => { const s = local(); return s ? s.getItem(prefix + key) : (keep.has(key) ? keep.get(key) : null); };
  const write = (key, value) => { const s = local(); if (s) s.setItem(prefix + key, value); else keep.set(key, value); };
  const remove = (key) => { const s = local(); if (s) s.removeItem(prefix + key); else keep.delete(key); };
  const keys = () => { const s = local(); if (!s) return [...keep.keys()];
    const out = []; for (let i = 0; i < s.length; i++) { const k = s.key(i);
      if (k && k.startsWith(prefix)) out.push(k.slice(prefix.length)); } return out; };
  const checkKey = (key) => { if (typeof key !== "string" || !key)
    throw new Error("A storage key is a non-empty string."); return key; };
  const storage = {
    get: async (key) => { const v = read(checkKey(key)); return v === null ? null : {key, value: v}; },
    set: async (key, value) => { checkKey(key); if (typeof value !== "string")
      throw new Error("window.storage keeps strings: store JSON.stringify(value) and JSON.parse it back.");
      write(key, value); return {key, value}; },
    delete: async (key) => { const had = read(checkKey(key)) !== null; remove(key); return {key, deleted: had}; },
    list: async (start) => ({keys: keys().filter((k) => k.startsWith(start || "")).sort()}),
  };
  const refuse = async () => { throw new Error(outside); };
  const define = (name, value) => { if (!(name in window)) window[name] = value; };
  define("storage", storage);
  define("claude", {complete: refuse});
  define("easel", {complete: refuse, storage});
  define("fs", {readFile: refuse});
  if (!window.__easelBridge) {
    const nativeFetch = window.fetch && window.fetch.bind(window);
    const messages = /^https:\\/\\/api\\.anthropic\\.com\\/v1\\/messages/;
    if (nativeFetch) window.fetch = (input, init) => {
      const url = typeof input === "string" ? input : (input && input.url) || String(input);
      return messages.test(url) ? refuse() : nativeFetch(input, init);
    };
  }
})();
</script>"""

_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_HTML = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
_DOCTYPE = re.compile(r"^\s*<!doctype[^>]*>", re.IGNORECASE)


def with_offline_bridge(page: str) -> str:
    """`page` with the offline bridge as its first script (before any of the page's own)."""
    for pattern in (_HEAD, _HTML, _DOCTYPE):
        match = pattern.search(page)
        if match:
            return page[: match.end()] + _OFFLINE_BRIDGE + page[match.end() :]
    return _OFFLINE_BRIDGE + page
