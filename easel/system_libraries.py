"""The Debian packages of the system libraries Qt needs, when some are missing.

`easel` checks before Qt starts (a missing library would otherwise end the program with a
loader error or Qt's abort): `ldd` on the libraries Qt loads, each library it cannot find mapped
to the Debian package that ships it, and one sentence with the exact `apt-get install` line. The
desktop app starts the check first and reads its answer when importing Qt fails, or else just
before the QApplication is made (the ~10-20 ms of `ldd` pass beside the imports).
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
    return LibraryCheck(libraries).missing()


class LibraryCheck:
    """`ldd` on each library, started at once and running beside the caller's own work (each
    run is ~10 ms of waiting on a child process); `missing()` waits for the answers."""

    def __init__(self, libraries: Iterable[Path]) -> None:
        ldd = shutil.which("ldd")
        self._found: set[str] = set()
        self._runs = [
            subprocess.Popen(
                [ldd, str(library)],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                text=True,
            )
            for library in (libraries if ldd is not None else ())
        ]

    def missing(self) -> list[str]:
        """The library names ldd reported as not found, sorted."""
        for run in self._runs:
            output, _ = run.communicate()
            self._found.update(
                line.split()[0] for line in output.splitlines() if "not found" in line
            )
        self._runs = []
        return sorted(self._found)


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


def start_check(gui: bool) -> LibraryCheck:
    """Start checking Qt's libraries (see problem); the check runs while the caller goes on."""
    linux = sys.platform.startswith("linux")
    return LibraryCheck(qt_libraries(gui and uses_x11()) if linux else [])


def problem(gui: bool, check: LibraryCheck | None = None) -> str | None:
    """One sentence naming what to install when Qt's libraries are missing, else None (the
    answer of `check`, started earlier by start_check(gui), or of a check made now)."""
    missing = (check or start_check(gui)).missing()
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
