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

WebGL without a GPU (`webgl_switches`, `add_gpu_switches`): offscreen, in VMs and in `render`,
Chromium finds only a software OpenGL (Mesa llvmpipe), blocklists it, and every WebGL context
fails ("WebGL1 blocklisted", "BindToCurrentSequence failed"), so three.js pages stay black.
Measured here (Qt 6.11.3, no /dev/dri): `--use-angle=swiftshader-webgl` gives WebGL 1 and 2
contexts (renderer "ANGLE (Mesa/X.org, llvmpipe …)") and three.js draws; `--enable-unsafe-
swiftshader` alone does not (still blocklisted). Those switches would also move WebGL off a real
GPU, so they are added only when no GPU context can exist: the offscreen/minimal platforms, or
Linux without a DRM render node (/dev/dri/renderD*). `EASEL_WEBGL=software|gpu` overrides.
"""

from __future__ import annotations

import os
import shlex
import sys
from collections.abc import MutableMapping
from pathlib import Path

from sandbox.gate import NetworkGate

FLAGS_VARIABLE = "QTWEBENGINE_CHROMIUM_FLAGS"
WEBGL_VARIABLE = "EASEL_WEBGL"
SOFTWARE_WEBGL = ("--use-angle=swiftshader-webgl", "--enable-unsafe-swiftshader")
# Platforms that never give Chromium a GPU context.
_HEADLESS_PLATFORMS = ("offscreen", "minimal", "vnc")
# Switches that choose the GL backend: when present (a user's), Easel adds none of its own.
_GL_CHOICE = ("--use-angle", "--use-gl", "--disable-gpu", "--disable-webgl")
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


def needs_software_webgl(
    environ: MutableMapping[str, str] | None = None,
    platform: str | None = None,
    dri: Path = Path("/dev/dri"),
) -> bool:
    """Whether WebGL must be rendered in software: no GPU context can exist in this process.

    `platform` is the Qt platform the QApplication will get (None: `QT_QPA_PLATFORM`).
    """
    env = os.environ if environ is None else environ
    forced = env.get(WEBGL_VARIABLE, "").strip().lower()
    if forced in ("software", "gpu"):
        return forced == "software"
    name = (platform if platform is not None else env.get("QT_QPA_PLATFORM", "")).split(":")[0]
    if name.strip().lower() in _HEADLESS_PLATFORMS:
        return True
    if sys.platform.startswith("linux"):
        # Chromium's GPU process on Linux needs a DRM render node; without one it gets llvmpipe.
        return not any(dri.glob("renderD*")) if dri.is_dir() else True
    return False


def add_gpu_switches(
    environ: MutableMapping[str, str] | None = None, platform: str | None = None
) -> bool:
    """Add software-WebGL switches to the engine's flags when no GPU can serve WebGL.

    Call before the QApplication, beside `start_network_wall`. A GL backend the user chose in
    the flags is kept as it is. Returns whether WebGL is rendered in software.
    """
    env = os.environ if environ is None else environ
    flags = shlex.split(env.get(FLAGS_VARIABLE, ""))
    names = {flag.partition("=")[0] for flag in flags}
    if names & set(_GL_CHOICE):
        return "--use-angle=swiftshader-webgl" in flags or "--use-angle=swiftshader" in flags
    if not needs_software_webgl(env, platform):
        return False
    env[FLAGS_VARIABLE] = " ".join([*flags, *SOFTWARE_WEBGL])
    return True
