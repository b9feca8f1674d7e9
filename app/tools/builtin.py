"""Easel's own tools, which need no server: `fetch_url`, and Moonshot's `$web_search`.

`fetch_url` GETs an http(s) page through the provider's HTTP client (so its proxy and CA
settings apply), reads at most MAX_BYTES, and reduces HTML to its readable text (no scripts,
styles or markup). It needs approval like any other tool.

`$web_search` is a Moonshot (Kimi) `builtin_function`: Moonshot runs the search itself; the
model "calls" it and, per Moonshot's documentation, the client sends the call's arguments back
verbatim as the tool result, after which the model answers with the search in hand. The
registry does that echo; this source only offers the tool, and only to Moonshot.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.tools.registry import Progress, ToolResult, ToolSpec

if TYPE_CHECKING:  # annotations only; httpx costs ~0.2 s to import
    import httpx

SERVER = "easel"
MAX_BYTES = 2_000_000
FETCH_SCHEMA = {
    "type": "object",
    "properties": {"url": {"type": "string", "description": "An http or https address."}},
    "required": ["url"],
}
_SKIPPED = {"script", "style", "noscript", "template", "svg", "head"}
_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "pre"}


class BuiltinTools:
    """The built-in tool source. web_search: offer Moonshot's $web_search (Kimi only)."""

    name = SERVER

    def __init__(
        self, client: httpx.AsyncClient, *, fetch_url: bool = True, web_search: bool = False
    ) -> None:
        self._client = client
        self._fetch_url = fetch_url
        self._web_search = web_search

    async def list_tools(self) -> list[ToolSpec]:
        tools = []
        if self._fetch_url:
            about = "Fetch a web page and return its readable text."
            # Not read-only for approval: the address itself can carry data out of the chat.
            tools.append(ToolSpec(SERVER, "fetch_url", about, FETCH_SCHEMA, read_only=False))
        if self._web_search:
            search = {"type": "object", "properties": {}}
            tools.append(
                ToolSpec(SERVER, "$web_search", "Moonshot web search.", search, True, True)
            )
        return tools

    async def call(self, tool: str, arguments: dict[str, Any], progress: Progress) -> ToolResult:
        if tool != "fetch_url" or not self._fetch_url:
            return ToolResult(f"Easel has no built-in tool {tool!r}.", True)
        url = arguments.get("url")
        if not isinstance(url, str) or urlsplit(url).scheme not in ("http", "https"):
            return ToolResult("fetch_url takes an http or https address in `url`.", True)
        return await self._fetch(url)

    async def _fetch(self, url: str) -> ToolResult:
        import httpx  # here, not at start-up: see the TYPE_CHECKING import above

        try:
            async with self._client.stream("GET", url, follow_redirects=True) as response:
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) >= MAX_BYTES:
                        break
                kind = response.headers.get("content-type", "")
                status = response.status_code
                encoding = response.encoding or "utf-8"
        except httpx.HTTPError as error:
            return ToolResult(f"Could not fetch {url}: {type(error).__name__}: {error}", True)
        text = bytes(body[:MAX_BYTES]).decode(encoding, errors="replace")
        if "html" in kind or text.lstrip()[:15].lower().startswith(("<!doctype", "<html")):
            text = readable_text(text)
        if status >= 400:
            return ToolResult(f"{url} answered HTTP {status}.\n{text[:2000]}", True)
        cut = " (cut at 2 MB)" if len(body) >= MAX_BYTES else ""
        return ToolResult(f"{url}{cut}\n\n{text}")


def readable_text(page: str) -> str:
    """The visible text of an HTML page, one block per line."""
    parser = _TextParser()
    parser.feed(page)
    parser.close()
    lines = (re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in "".join(parser.out).split("\n"))
    return "\n".join(line for line in lines if line)


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self._skipping += 1
        elif tag in _BLOCKS:
            self.out.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED and self._skipping:
            self._skipping -= 1
        elif tag in _BLOCKS:
            self.out.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.out.append(data)  # character references are already converted


def is_moonshot(base_url: str) -> bool:
    """Whether the API is Moonshot's (Kimi), which offers the $web_search builtin_function."""
    host = urlsplit(base_url).hostname or ""
    return host.endswith(("moonshot.cn", "moonshot.ai"))
