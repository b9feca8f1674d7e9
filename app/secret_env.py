"""Secret environment variables leave the process before the web engine starts.

Chromium's helper processes (the zygote, every renderer that runs an artifact, the GPU and
utility processes) are started with Easel's environment. A renderer that an artifact escapes
from — or that simply crashes into a dump — must not hold `OPENAI_API_KEY` and friends. So,
before the QApplication exists, `take_secret_environment` moves every variable whose name looks
like a secret out of `os.environ` (which unsets it in the C environment too) and returns the
values: the caller hands them to the key store (`KeyStore(environment=…)`), where Easel still
finds them. Which names count: those with a `_`-separated part KEY, APIKEY, API_KEY, TOKEN,
SECRET, PASSWORD, PASSWD, PASS, PASSPHRASE or CREDENTIAL(S) — OPENAI_API_KEY, HF_TOKEN,
AWS_SECRET_ACCESS_KEY — plus the names given as `extra_names` (a profile's own --api-key-env,
which may be called anything). DISPLAY, XAUTHORITY, DBUS_SESSION_BUS_ADDRESS, SSH_AUTH_SOCK
and the like stay: the engine needs them and they hold no secret.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, MutableMapping

_SECRET_PART = re.compile(
    r"(?:^|_)(?:API_?KEY|KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|PASSPHRASE|CREDENTIALS?)(?:_|$)",
    re.IGNORECASE,
)


def is_secret_name(name: str) -> bool:
    """Whether an environment variable's name says it holds a secret."""
    return bool(_SECRET_PART.search(name))


def take_secret_environment(
    extra_names: Iterable[str] = (), environ: MutableMapping[str, str] | None = None
) -> dict[str, str]:
    """Remove secret-looking variables (and `extra_names`) from the environment; their values.

    Call it once, before QApplication (for the desktop app and for `render`), and pass the
    result to `KeyStore(environment=…)`. environ: os.environ unless given (tests).
    """
    environ = os.environ if environ is None else environ
    wanted = {name for name in extra_names if name}
    taken = {}
    for name in list(environ):
        if name in wanted or is_secret_name(name):
            taken[name] = environ.pop(name)
    return taken
