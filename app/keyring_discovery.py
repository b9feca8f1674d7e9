"""Finding the system keyring's backend on a thread of its own, from the first moment.

keyring's discovery takes 0.2–0.5 s on Linux, mostly waiting on the subprocesses that
`ctypes.util.find_library` runs for the macOS backend, and on D-Bus on a desktop. Started before
the desktop app imports Qt and builds its window, that wait overlaps the work the window needs
(a waiting thread holds no GIL) instead of following it. This module imports nothing heavy itself,
so starting the search costs nothing; `KeyStore.open_default(discovery=...)` awaits the result.
"""

from __future__ import annotations

import concurrent.futures
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend


def start_keyring_discovery() -> concurrent.futures.Future[KeyringBackend]:
    """Start looking for the keyring backend now; the future holds it (or the error)."""
    future: concurrent.futures.Future[KeyringBackend] = concurrent.futures.Future()

    def find() -> None:
        try:
            from app.secrets import default_backend  # keyring's import is part of the wait

            future.set_result(default_backend())
        except BaseException as error:  # handed to whoever awaits the future
            future.set_exception(error)

    threading.Thread(target=find, name="keyring-discovery", daemon=True).start()
    return future
