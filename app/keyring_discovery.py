"""Finding the system keyring's backend on a thread of its own.

keyring's discovery takes 0.2–0.5 s on Linux: it imports every backend (importlib_metadata, email,
jaraco, ~50 ms of imports), runs the subprocesses `ctypes.util.find_library` starts for the macOS
backend, and waits on D-Bus on a desktop. The desktop app starts it once its first frame is on
screen (`KeyStore.found_later` and `find()`): run beside the window's own start-up, its imports
took the GIL from the GUI thread and cost the first frame ~100 ms. The first key lookup starts it
anyway when it comes earlier. This module imports nothing heavy itself; `KeyStore.ready()` awaits
the result.
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
