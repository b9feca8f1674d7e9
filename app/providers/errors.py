"""Turn what a model API says went wrong into one clear sentence and the right error type.

Error bodies come in many shapes: `{"error": {"message": ...}}` (OpenAI and most compatible
APIs), `{"error": "..."}`, `{"message": ...}`, `{"detail": ...}`, Anthropic's
`{"type": "error", "error": {"type": ..., "message": ...}}`, plain text, or a proxy's HTML page
(never shown raw). Messages are trimmed so one sentence stays one sentence.
"""

from __future__ import annotations

import email.utils
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.events import (
    AuthError,
    BadResponse,
    NetworkError,
    ProviderError,
    RateLimited,
    ServerError,
)
from app.i18n import translate
from app.providers.retry import parse_retry_hint, too_long_to_wait, wait_sentence
from app.urls import redact_userinfo, strip_userinfo

_MAX_MESSAGE = 300
# Error types that mean "busy, try later" whatever the HTTP status (Kimi, Anthropic, OpenAI).
_RATE_TYPES = {"rate_limit_error", "engine_overloaded_error", "rate_limit_exceeded"}
_OVERLOAD_TYPES = {"overloaded_error", "server_overloaded"}
_RETRYABLE_5XX = {500, 502, 503, 504, 520, 522, 524, 529}
_ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]*$")


@dataclass(frozen=True)
class ErrorContext:
    """What an error message needs to know: who was asked, where, and how to fix a key."""

    provider: str
    url: str
    has_key: bool = True
    key_hint: str | None = None

    def __post_init__(self) -> None:
        # Every sentence below quotes these: a password in the base URL must not reach one.
        object.__setattr__(self, "url", strip_userinfo(self.url))
        object.__setattr__(self, "provider", redact_userinfo(self.provider))

    @property
    def host(self) -> str:
        """The host (and port) the request went to."""
        return urlsplit(self.url).netloc or self.url

    def who(self) -> str:
        """The provider and its host, e.g. "DeepSeek (api.deepseek.com)"."""
        return f"{self.provider} ({self.host})"

    def key_advice(self) -> str:
        """How to fix a rejected key. key_hint: an environment variable's name, or a sentence."""
        if not self.key_hint:
            return translate("ProviderErrors", "Check the key in Settings.")
        if _ENV_NAME.match(self.key_hint):
            return translate("ProviderErrors", "Check the key in Settings or {variable}.").format(
                variable=self.key_hint
            )
        return _sentence(self.key_hint)  # the caller's own advice, a whole sentence


def clip(text: str, limit: int = _MAX_MESSAGE) -> str:
    """Collapse whitespace, hide the user info of URLs, and cut to `limit` characters."""
    flat = " ".join(redact_userinfo(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def _sentence(text: str) -> str:
    """End with a full stop unless the text already ends a sentence."""
    return text if text.endswith((".", "!", "?", "…", "。", "！", "？")) else text + "."


def _from_mapping(data: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """(message, type) out of a parsed JSON error body of any of the usual shapes."""
    error = data.get("error")
    if isinstance(error, Mapping):
        message = error.get("message") or error.get("msg")
        kind = error.get("type") or error.get("code")
        return (str(message) if message else None, str(kind) if kind else None)
    if isinstance(error, str) and error:
        return error, None
    for key in ("message", "detail", "msg"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value, None
        if value:  # FastAPI's 422 detail is a list of objects
            return json.dumps(value, ensure_ascii=False), None
    return None, None


def api_message(body: bytes) -> tuple[str | None, str | None]:
    """The API's own error message and error type from a body, when it has one worth showing."""
    text = body.decode("utf-8", errors="replace").strip()
    if not text:
        return None, None
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, Mapping):
        message, kind = _from_mapping(data)
        return (clip(message) if message else None), kind
    if data is not None or text.startswith("<"):
        return None, None  # an HTML page from a proxy, or JSON that is not an error object
    return clip(text), None


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds from `Retry-After` (a number or an HTTP date) or `retry-after-ms`, if present."""
    lowered = {name.lower(): value for name, value in headers.items()}
    milliseconds = lowered.get("retry-after-ms")
    if milliseconds:
        try:
            return max(float(milliseconds) / 1000, 0.0)
        except ValueError:
            pass
    value = lowered.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)


def _said(message: str | None) -> str:
    return f": {message}" if message else ""


def error_from_response(
    context: ErrorContext, status: int, body: bytes, headers: Mapping[str, str]
) -> ProviderError:
    """The typed error for an HTTP error status, with one sentence naming the provider."""
    message, kind = api_message(body)
    name = context.provider
    if status in (401, 403):
        return _auth_error(context, status, message)
    if status == 429 or kind in _RATE_TYPES:
        retry_after = retry_after_seconds(headers)
        if retry_after is None and message:
            retry_after = parse_retry_hint(message)
        text = translate("ProviderErrors", "{name} is limiting requests ({status}){said}").format(
            name=name, status=status, said=_said(message)
        )
        return _rate_limited(_sentence(text), status, retry_after)
    if status == 408:
        text = translate(
            "ProviderErrors", "{name} timed out waiting for the request (408)."
        ).format(name=name)
        return NetworkError(text, status=status)
    if status == 402:
        text = translate(
            "ProviderErrors",
            "{name} refused the request: the account's balance is too low (402){said}",
        ).format(name=name, said=_said(message))
        advice = translate("ProviderErrors", " Top it up or choose another provider.")
        return BadResponse(_sentence(text) + advice, status=status)
    if status == 404:
        text = translate(
            "ProviderErrors", "{name} does not know this model or address (404){said}"
        ).format(name=name, said=_said(message))
        advice = translate(
            "ProviderErrors", " Check the model name and the base URL ({url})."
        ).format(url=context.url)
        return BadResponse(_sentence(text) + advice, status=status)
    if status >= 500 or kind in _OVERLOAD_TYPES:
        return _server_error(context, status, message, kind)
    text = translate("ProviderErrors", "{name} refused the request ({status}){said}").format(
        name=name, status=status, said=_said(message)
    )
    return BadResponse(_sentence(text), status=status)


def _rate_limited(text: str, status: int | None, retry_after: float | None) -> RateLimited:
    """RateLimited; not retried when the server asks for longer than Easel waits by itself."""
    if retry_after is None or not too_long_to_wait(retry_after):
        return RateLimited(text, status=status, retry_after=retry_after)
    when = wait_sentence(retry_after)
    limited = translate("ProviderErrors", "Rate limited: {when}. {text}").format(
        when=when, text=text
    )
    error = RateLimited(limited, status=status, retry_after=retry_after)
    error.retryable = False  # a daily quota will not lift in the next minute
    return error


def _auth_error(context: ErrorContext, status: int, message: str | None) -> AuthError:
    if not context.has_key:
        text = translate(
            "ProviderErrors", "{name} needs an API key ({status}) and none was given."
        ).format(name=context.provider, status=status)
        return AuthError(f"{text} {context.key_advice()}", status=status)
    # 401 always means the key; a 403 can mean more (region, permissions), so quote the API.
    detail = translate("ProviderErrors", " It said: {message}")
    detail = detail.format(message=_sentence(message)) if status == 403 and message else ""
    text = (
        translate("ProviderErrors", "{name} rejected the API key ({status}).").format(
            name=context.provider, status=status
        )
        + detail
    )
    return AuthError(f"{text} {context.key_advice()}", status=status)


def _server_error(
    context: ErrorContext, status: int, message: str | None, kind: str | None
) -> ServerError:
    if status == 529 or kind in _OVERLOAD_TYPES:
        text = translate("ProviderErrors", "{name} is overloaded ({status}){said}").format(
            name=context.provider, status=status, said=_said(message)
        )
        error = ServerError(_sentence(text) + _try_again(), status=status)
    else:
        text = translate("ProviderErrors", "{name} had a server error ({status}){said}").format(
            name=context.provider, status=status, said=_said(message)
        )
        error = ServerError(_sentence(text), status=status)
        # 501 Not Implemented or 505 will not get better by asking again.
        error.retryable = status in _RETRYABLE_5XX
    return error


def stream_error(context: ErrorContext, error: Any) -> ProviderError:
    """The typed error for an error object that arrived inside a 200 stream."""
    if isinstance(error, Mapping):
        message, kind = _from_mapping({"error": error})
        code = error.get("code")
    else:
        message, kind, code = (str(error) if error else None), None, None
    message = clip(message) if message else None
    status = code if isinstance(code, int) else None
    if status == 429 or kind in _RATE_TYPES:
        retry_after = parse_retry_hint(message) if message else None
        text = translate("ProviderErrors", "{name} is limiting requests{said}").format(
            name=context.provider, said=_said(message)
        )
        text = _sentence(text)
        return _rate_limited(text, status, retry_after)
    if kind in _OVERLOAD_TYPES or status == 529:
        text = translate("ProviderErrors", "{name} is overloaded{said}").format(
            name=context.provider, said=_said(message)
        )
        return ServerError(_sentence(text) + _try_again(), status=status)
    text = translate("ProviderErrors", "{name} reported an error mid-reply{said}").format(
        name=context.provider, said=_said(message)
    )
    text = _sentence(text)
    return ServerError(text, status=status)


def network_error(context: ErrorContext, exc: httpx.HTTPError) -> NetworkError:
    """A transport failure before any reply: refused, unresolvable, timed out, TLS."""
    if isinstance(exc, httpx.ConnectTimeout):
        text = translate("ProviderErrors", "Connecting to {who} timed out.").format(
            who=context.who()
        )
    elif isinstance(exc, httpx.ReadTimeout):
        text = silence_sentence(context, exc)
    elif isinstance(exc, httpx.TimeoutException):
        text = translate("ProviderErrors", "{who} did not answer in time.").format(
            who=context.who()
        )
    elif isinstance(exc, httpx.ConnectError):
        reason = clip(str(exc), 120)
        text = translate("ProviderErrors", "Could not connect to {who}{said}").format(
            who=context.who(), said=_said(reason)
        )
    else:
        reason = clip(str(exc) or type(exc).__name__, 120)
        text = translate("ProviderErrors", "The request to {who} failed{said}").format(
            who=context.who(), said=_said(reason)
        )
    return NetworkError(_sentence(text))


def silence_sentence(
    context: ErrorContext, exc: httpx.ReadTimeout, *, mid_reply: bool = False
) -> str:
    """ "No data from X (host) for 60 s.": the read timeout that ran out, as the user set it."""
    seconds = _read_timeout_of(exc)
    if seconds is None:
        sentence = translate("ProviderErrors", "No data from {who} in time{tail}.")
    else:
        sentence = translate("ProviderErrors", "No data from {who} for {seconds} s{tail}.")
    tail = translate("ProviderErrors", " in the middle of the reply") if mid_reply else ""
    return sentence.format(
        who=context.who(), seconds="" if seconds is None else f"{seconds:g}", tail=tail
    )


def _read_timeout_of(exc: httpx.ReadTimeout) -> float | None:
    # httpx keeps the request's timeouts in its extensions; a bare exception has no request.
    try:
        read = exc.request.extensions.get("timeout", {}).get("read")
    except RuntimeError:
        return None
    return float(read) if isinstance(read, (int, float)) else None


def redirect_error(context: ErrorContext, status: int, headers: Mapping[str, str]) -> BadResponse:
    """A 3xx where the API should answer: name where it points (never its password)."""
    location = {name.lower(): value for name, value in headers.items()}.get("location", "")
    where = translate("ProviderErrors", " to {location}")
    where = where.format(location=_without_userinfo(location.strip())) if location.strip() else ""
    text = translate(
        "ProviderErrors", "{who} redirected{where} ({status}): check the base URL."
    ).format(who=context.who(), where=where, status=status)
    return BadResponse(text, status=status)


def _try_again() -> str:
    return translate("ProviderErrors", " Try again in a moment.")


def _without_userinfo(url: str) -> str:
    # A Location may carry "user:password@"; it is shown to the user and stored with the reply.
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def bad_response(context: ErrorContext, what: str) -> BadResponse:
    """The API answered 2xx with something that is not what its protocol promises."""
    return BadResponse(_sentence(f"{context.who()} {what}"))
