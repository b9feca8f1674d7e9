"""Engine-wide switches that put the network wall below every page, set before Qt starts.

QtWebEngine reads Chromium switches once, from `QTWEBENGINE_CHROMIUM_FLAGS`, when its context
starts; they hold for every page of the process. Measured with Qt 6.11.3 (Chromium 140) and a
TCP+UDP canary on 127.0.0.1 (docs/sandbox-network-wall.md):
- `--proxy-server=<the gate>` with `--proxy-bypass-list=<-loopback>`: every HTTP, WebSocket and
  preconnect connection, loopback included, goes to `sandbox.gate.NetworkGate`, which refuses what
  the user did not allow. The engine then resolves no host names itself (the proxy does), so a
  page cannot leak data through DNS lookups either.
- `--force-webrtc-ip-handling-policy=disable_non_proxied_udp` (and the plain policy): WebRTC uses
  no UDP at all and sends TURN over TCP through the proxy, where it is refused.
- `--disable-quic`: no QUIC, so no WebTransport over UDP, from pages or workers.
- `--disable-blink-features=SharedWorker,WebSocketStream`: the APIs seen getting past the request
  interceptor do not exist (a shared worker's sockets are not tied to any page).
What the switches cannot remove (`RTCPeerConnection`, `WebTransport`) is made inert in every
frame by `sandbox.shims`, which reports each attempt.

Chromium's own renderer sandbox stays on: `--no-sandbox` is added only where it must be (root),
by main.py, and never here.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import MutableMapping

from sandbox.gate import NetworkGate

FLAGS_VARIABLE = "QTWEBENGINE_CHROMIUM_FLAGS"
_BLINK_FEATURES_OFF = ("SharedWorker", "WebSocketStream")
# Switches the wall owns: any earlier value (a user's, or a parent process's gate) is replaced.
_OWNED = (
    "--proxy-server",
    "--proxy-bypass-list",
    "--proxy-pac-url",
    "--no-proxy-server",
    "--proxy-auto-detect",
    "--force-webrtc-ip-handling-policy",
    "--webrtc-ip-handling-policy",
    "--enable-quic",
    "--disable-quic",
)


def start_network_wall(environ: MutableMapping[str, str] | None = None) -> NetworkGate:
    """Start the gate and route the engine through it; call once, before the QApplication."""
    gate = NetworkGate()
    harden_engine(gate.start(), environ)
    return gate


def wall_switches(gate_port: int) -> list[str]:
    """The Chromium switches that route every connection to the gate on `gate_port`."""
    return [
        f"--proxy-server=http://127.0.0.1:{gate_port}",
        "--proxy-bypass-list=<-loopback>",  # without it, loopback would skip the proxy
        "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--webrtc-ip-handling-policy=disable_non_proxied_udp",
        "--disable-quic",
    ]


def harden_engine(gate_port: int, environ: MutableMapping[str, str] | None = None) -> str:
    """Write the wall's switches into the engine's flags (before QApplication); return them.

    Earlier values of the switches the wall owns are dropped; other flags (`--no-sandbox` as
    root, a log level) are kept, and disabled Blink features are merged.
    """
    env = os.environ if environ is None else environ
    kept: list[str] = []
    blink_off = list(_BLINK_FEATURES_OFF)
    for flag in shlex.split(env.get(FLAGS_VARIABLE, "")):
        name, _, value = flag.partition("=")
        if name in _OWNED:
            continue
        if name == "--disable-blink-features":
            blink_off += [f for f in value.split(",") if f and f not in blink_off]
            continue
        kept.append(flag)
    flags = [*kept, *wall_switches(gate_port), f"--disable-blink-features={','.join(blink_off)}"]
    env[FLAGS_VARIABLE] = " ".join(flags)
    return env[FLAGS_VARIABLE]
