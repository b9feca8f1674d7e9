"""The Debian packages of the system libraries Qt needs, when some are missing.

`easel` checks before Qt starts (a missing library would otherwise end the program with a
loader error or Qt's abort): `ldd` on the libraries Qt loads, each library it cannot find mapped
to the Debian package that ships it, and one sentence with the exact `apt-get install` line.
scripts/setup-env runs the same check (`python -m easel.system_libraries`) and installs them as
root.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from importlib.util import find_spec
from pathlib import Path

# Library file names (as ldd reports them) to the Debian packages that ship them.
PACKAGES = {
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libnss3.so": "libnss3",
    "libnssutil3.so": "libnss3",
    "libsmime3.so": "libnss3",
    "libnspr4.so": "libnspr4",
    "libasound.so.2": "libasound2",
    "libXcomposite.so.1": "libxcomposite1",
    "libXdamage.so.1": "libxdamage1",
    "libXrandr.so.2": "libxrandr2",
    "libXtst.so.6": "libxtst6",
    "libXfixes.so.3": "libxfixes3",
    "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1",
    "libxkbfile.so.1": "libxkbfile1",
    "libxshmfence.so.1": "libxshmfence1",
    "libgbm.so.1": "libgbm1",
    "libdrm.so.2": "libdrm2",
    "libXkbfile.so.1": "libxkbfile1",
    "libexpat.so.1": "libexpat1",
    "libgssapi_krb5.so.2": "libgssapi-krb5-2",
}


def qt_libraries(gui: bool) -> list[Path]:
    """The Qt libraries whose dependencies matter: QtWebEngine, and the X11 plugin for a window."""
    spec = find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    qt = Path(next(iter(spec.submodule_search_locations))) / "Qt"
    libraries = [qt / "lib" / "libQt6WebEngineCore.so.6"]
    if gui:
        libraries.append(qt / "plugins" / "platforms" / "libqxcb.so")
    return [library for library in libraries if library.is_file()]


def missing_libraries(libraries: Iterable[Path]) -> list[str]:
    """The shared libraries `ldd` cannot find for these files (none where ldd is absent)."""
    ldd = shutil.which("ldd")
    if ldd is None:
        return []
    missing: set[str] = set()
    for library in libraries:
        result = subprocess.run([ldd, str(library)], capture_output=True, text=True, check=False)
        for line in result.stdout.splitlines():
            if "not found" in line:
                missing.add(line.split()[0])
    return sorted(missing)


def debian_packages(names: Iterable[str]) -> tuple[list[str], list[str]]:
    """The packages that ship these libraries, and the names no package is known for."""
    packages = sorted({PACKAGES[name] for name in names if name in PACKAGES})
    return packages, sorted(name for name in names if name not in PACKAGES)


def uses_x11() -> bool:
    """Whether Qt will open windows through its X11 (xcb) plugin here."""
    platform = os.environ.get("QT_QPA_PLATFORM", "")
    if platform:
        return platform.startswith("xcb")
    return bool(os.environ.get("DISPLAY")) and not os.environ.get("WAYLAND_DISPLAY")


def problem(gui: bool) -> str | None:
    """One sentence naming what to install when Qt's libraries are missing, else None."""
    if not sys.platform.startswith("linux"):
        return None
    missing = missing_libraries(qt_libraries(gui and uses_x11()))
    if not missing:
        return None
    packages, unknown = debian_packages(missing)
    sentence = f"Qt needs system libraries that are missing ({', '.join(missing)})."
    if packages:
        sentence += f" Install them with:\n  sudo apt-get install {' '.join(packages)}"
    if unknown:
        sentence += f"\n(no Debian package known for {', '.join(unknown)})"
    return sentence


def main() -> None:
    """Print the packages to install (one line, empty when none) for scripts/setup-env."""
    missing = missing_libraries(qt_libraries(gui=True))
    packages, unknown = debian_packages(missing)
    for name in unknown:
        print(f"(no Debian package known for {name})", file=sys.stderr)
    print(" ".join(packages))


if __name__ == "__main__":
    main()
