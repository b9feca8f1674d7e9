"""User info in URLs (`http://user:password@host/`): taken out before a URL is shown or kept.

A base URL may carry a password (a company proxy, a self-hosted server behind basic auth).
Easel never shows or stores that part: every URL that reaches an error sentence, stderr, the
settings file or the database goes through `strip_userinfo` (or `redact_userinfo` for free text
that may hold URLs). The credentials stay usable: `split_userinfo` turns them into an
`Authorization: Basic …` header value, which is held in memory and, for a saved profile, kept
like any header value — in the keyring (see app/secrets.py), never in settings.json.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote, urlsplit, urlunsplit

# scheme://userinfo@ in running text; userinfo ends at the last "@" before the path.
_USERINFO_IN_TEXT = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^/?#\s\"'<>]*@")


def split_userinfo(url: str) -> tuple[str, str | None]:
    """(the URL without user info, an `Authorization` value for it or None when there is none).

    The user name and password are percent-decoded, as HTTP clients do before sending them.
    """
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, None
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    clean = urlunsplit(parts._replace(netloc=hostport))
    if not user and not password:
        return clean, None
    return clean, basic_authorization(unquote(user), unquote(password))


def strip_userinfo(url: str) -> str:
    """The URL as it may be shown or stored: the same, minus any `user:password@`."""
    return split_userinfo(url)[0]


def redact_userinfo(text: str) -> str:
    """Text (an error message, a name) with the user info of every URL in it removed."""
    return _USERINFO_IN_TEXT.sub(r"\1", text)


def basic_authorization(user: str, password: str) -> str:
    """The `Authorization` header value for HTTP basic authentication."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"
