"""One MCP server as a tool source, spoken through the official `mcp` SDK (2.x).

The server starts on first use (listing its tools), never at start-up. A background task
holds the SDK's transport and `ClientSession` open (their context managers must be entered
and left in one task) until `close()`. A server that crashed is started again on the next
use. A call may go `timeout` seconds without a result; each progress notification starts the
count again. Cancelling a call (Stop) cancels the request. Errors name the server and carry
the last lines it wrote to stderr.

The SDK (with pydantic, starlette, httpx2…) takes about a second to import: it is imported
when the first server starts (`_sdk`), never at start-up, so a window with no tools opens as
fast as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import tempfile
from typing import TYPE_CHECKING, Any, TextIO

from app.tools.mcp_config import ConfigError, ServerConfig, find_command, login_shell_path
from app.tools.registry import Progress, ToolResult, ToolSourceError, ToolSpec

if TYPE_CHECKING:
    from mcp import ClientSession

log = logging.getLogger(__name__)
STDERR_TAIL = 2000  # characters of a server's stderr quoted in its error
START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0


class MCPSource:
    """A configured MCP server: lazily started, restarted after a crash."""

    def __init__(self, config: ServerConfig) -> None:
        self.config = config
        self.name = config.name
        self.state = "stopped"  # stopped, starting, ready, failed
        self.error = ""
        self._session: ClientSession | None = None
        self._tools: list[ToolSpec] = []
        self._task: asyncio.Task[None] | None = None
        self._closing: asyncio.Event | None = None
        self._lock = asyncio.Lock()
        # What a stdio server writes to stderr, quoted in its errors; made when it first starts.
        self._stderr: TextIO | None = None

    @property
    def tool_count(self) -> int:
        """How many tools the server offered when it last started."""
        return len(self._tools)

    async def list_tools(self) -> list[ToolSpec]:
        """The server's tools (starting it if needed)."""
        await self._ensure()
        return list(self._tools)

    async def call(self, tool: str, arguments: dict[str, Any], progress: Progress) -> ToolResult:
        """Run one tool; a crash, a timeout or the tool's own error is an error result."""
        session = await self._ensure()
        last = asyncio.get_running_loop().time()

        async def on_progress(done: float, total: float | None, message: str | None) -> None:
            nonlocal last
            last = asyncio.get_running_loop().time()
            progress()

        task = asyncio.ensure_future(
            session.call_tool(tool, arguments, progress_callback=on_progress)
        )
        try:
            while not task.done():
                left = self.config.timeout - (asyncio.get_running_loop().time() - last)
                if left <= 0:
                    task.cancel()
                    return ToolResult(
                        f"The MCP server {self.name!r} did not answer {tool} within "
                        f"{self.config.timeout:.0f} seconds.",
                        True,
                    )
                await asyncio.wait([task], timeout=left)
            result = task.result()
        except asyncio.CancelledError:
            task.cancel()
            raise
        except Exception as error:  # noqa: BLE001 - the SDK raises many kinds; the model is told
            sdk = _sdk()
            if isinstance(error, sdk.MCPError) and error.code != sdk.CONNECTION_CLOSED:
                # The server answered with an error (bad params, unknown tool): it is alive.
                return ToolResult(f"The MCP server {self.name!r} refused {tool}: {error}", True)
            await self._forget()
            return ToolResult(self._failure(f"failed during {tool}: {error}"), True)
        return _result_text(result)

    async def close(self) -> None:
        """Stop the server (and its process); the source is not used again afterwards."""
        if self._closing is not None:
            self._closing.set()
        if self._task is not None:
            await asyncio.wait({self._task}, timeout=STOP_TIMEOUT)
            self._task.cancel()  # still going after STOP_TIMEOUT: cut it (no-op when done)
        self._task = None
        self._session = None
        self.state = "stopped"
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    async def _ensure(self) -> ClientSession:
        async with self._lock:
            if self._session is not None and self._task is not None and not self._task.done():
                return self._session
            return await self._start()

    async def _start(self) -> ClientSession:
        self.state, self.error = "starting", ""
        ready: asyncio.Future[ClientSession] = asyncio.get_running_loop().create_future()
        self._closing = asyncio.Event()
        self._task = asyncio.ensure_future(self._hold(ready, self._closing))
        try:
            session = await asyncio.wait_for(asyncio.shield(ready), START_TIMEOUT)
        except TimeoutError:
            self._task.cancel()  # stuck in its handshake: closing would never be seen
            self._fail(self._failure(f"did not start within {START_TIMEOUT:.0f} seconds"))
        except ToolSourceError as error:
            self._fail(str(error))
        self.state = "ready"
        return session

    def _fail(self, message: str) -> None:
        self.state, self.error = "failed", message
        raise ToolSourceError(message)

    async def _hold(self, ready: asyncio.Future[ClientSession], closing: asyncio.Event) -> None:
        """Open the transport and session, list the tools, and keep them open until closing."""
        try:
            async with contextlib.AsyncExitStack() as stack:
                read, write = await stack.enter_async_context(self._transport(stack))
                session = await stack.enter_async_context(_sdk().ClientSession(read, write))
                await session.initialize()
                listed = await session.list_tools()
                self._tools = [self._spec(tool) for tool in listed.tools]
                self._session = session
                ready.set_result(session)
                await closing.wait()
        except ConfigError as error:
            _settle(ready, ToolSourceError(f"The MCP server {self.name!r} cannot start: {error}"))
        except BaseException as error:  # noqa: BLE001 - whatever stopped it is said by name
            _settle(ready, ToolSourceError(self._failure(f"stopped: {_describe(error)}")))
            if isinstance(error, asyncio.CancelledError):
                raise
        finally:
            self._session = None

    def _transport(self, stack: contextlib.AsyncExitStack) -> Any:
        config = self.config
        sdk = _sdk()
        if config.remote:
            client = sdk.httpx2.AsyncClient(headers=dict(config.headers), timeout=config.timeout)
            stack.push_async_callback(client.aclose)
            return sdk.streamable_http_client(config.url, http_client=client)
        path = login_shell_path()
        command = find_command(config.command, path)
        env = {"PATH": path, **config.env}
        parameters = sdk.StdioServerParameters(command=command, args=list(config.args), env=env)
        if self._stderr is None:
            self._stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
        return sdk.stdio_client(parameters, errlog=self._stderr)

    def _spec(self, tool: Any) -> ToolSpec:
        annotations = getattr(tool, "annotations", None)
        read_only = bool(getattr(annotations, "read_only_hint", False))
        return ToolSpec(
            self.name, tool.name, tool.description or "", tool.input_schema or {}, read_only
        )

    async def _forget(self) -> None:
        if self._closing is not None:
            self._closing.set()
        self._session = None

    def _failure(self, what: str) -> str:
        tail = self.stderr_tail()
        said = f" Its error output: {tail}" if tail else ""
        return f"The MCP server {self.name!r} {what}.{said}"

    def stderr_tail(self) -> str:
        """The last lines the server wrote to stderr."""
        if self._stderr is None:
            return ""
        try:
            self._stderr.flush()
            self._stderr.seek(0)
            text = self._stderr.read()
        except (OSError, ValueError):
            return ""
        return text[-STDERR_TAIL:].strip()


def _settle(ready: asyncio.Future[ClientSession], error: Exception) -> None:
    if not ready.done():
        ready.set_exception(error)


def _describe(error: BaseException) -> str:
    """The innermost reasons of an exception group, or the error itself, as text."""
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(_describe(inner) for inner in error.exceptions)
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def _result_text(result: Any) -> ToolResult:
    parts = []
    for block in getattr(result, "content", []) or []:
        text = getattr(block, "text", None)
        if isinstance(text, str):
            parts.append(text)
        else:
            kind = getattr(block, "type", "content")
            parts.append(f"[{kind} left out: Easel passes text results only]")
    structured = getattr(result, "structured_content", None)
    if not parts and structured is not None:
        parts.append(json.dumps(structured, ensure_ascii=False))
    return ToolResult("\n".join(parts), bool(getattr(result, "is_error", False)))


class _SDK:
    """The parts of the `mcp` SDK this module uses, imported on first use."""

    def __init__(self) -> None:
        import httpx2
        from mcp import ClientSession, MCPError, StdioServerParameters
        from mcp.client.stdio import stdio_client
        from mcp.client.streamable_http import streamable_http_client
        from mcp.types import CONNECTION_CLOSED

        self.httpx2 = httpx2
        self.ClientSession = ClientSession
        self.MCPError = MCPError
        self.StdioServerParameters = StdioServerParameters
        self.stdio_client = stdio_client
        self.streamable_http_client = streamable_http_client
        self.CONNECTION_CLOSED = CONNECTION_CLOSED


_loaded: list[_SDK] = []


def _sdk() -> _SDK:
    """The SDK, imported the first time a server starts (about a second; never at start-up)."""
    if not _loaded:
        _loaded.append(_SDK())
    return _loaded[0]
