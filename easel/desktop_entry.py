"""The XDG launcher: `easel --install-desktop-entry` puts Easel in the desktop's application menu.

It writes `$XDG_DATA_HOME/applications/easel.desktop` (by default under ~/.local/share) whose
Exec is the very command that ran it, and the icon into the hicolor theme there: the SVG as
`scalable/apps/easel.svg` and PNGs rendered from it with QtSvg (so no binary is kept in the
repository). `--uninstall-desktop-entry` removes exactly those files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

from app.resources import icon_svg
from easel import APP_ID, APP_NAME

PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)
# Characters that oblige an Exec argument to be quoted (Desktop Entry Specification, "Exec").
_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when it is unset or not absolute (as the spec says)."""
    configured = os.environ.get("XDG_DATA_HOME", "")
    if configured and Path(configured).is_absolute():
        return Path(configured)
    return Path.home() / ".local" / "share"


def launch_command(argv0: str, executable: str) -> list[str]:
    """The command the launcher runs: the `easel` that is running now, by its absolute path.

    From a checkout (`python main.py`) or `python -m easel` it is that interpreter with the same
    script or module, so the launcher starts what the user just ran.
    """
    program = Path(argv0)
    if program.name == "__main__.py":
        return [executable, "-m", "easel"]
    if program.suffix == ".py":
        return [executable, os.path.abspath(argv0)]
    if os.sep not in argv0:  # a bare name: where the shell would find it
        argv0 = shutil.which(argv0) or argv0
    # abspath, not resolve: pipx links ~/.local/bin/easel into its venv, and the link is what
    # survives a reinstall.
    return [os.path.abspath(argv0)]


def exec_line(command: list[str]) -> str:
    """The Exec value: each argument quoted as the spec requires, % doubled."""
    words = []
    for word in command:
        if any(character in _RESERVED for character in word):
            escaped = "".join("\\" + c if c in '"`$\\' else c for c in word)
            word = f'"{escaped}"'
        # The desktop file's own string escaping comes on top of Exec's quoting.
        words.append(word.replace("\\", "\\\\").replace("%", "%%"))
    return " ".join(words)


def desktop_file_text(command: list[str]) -> str:
    """The contents of easel.desktop for a launcher that runs `command`."""
    return "\n".join(
        [
            "[Desktop Entry]",
            "Type=Application",
            "Version=1.4",
            f"Name={APP_NAME}",
            "GenericName=AI Chat",
            "Comment=Chat with a language model; what it builds runs beside the chat as a page",
            f"Exec={exec_line(command)}",
            f"Icon={APP_ID}",
            "Terminal=false",
            "Categories=Office;",
            "Keywords=AI;LLM;chat;artifact;assistant;",
            "StartupNotify=true",
            f"StartupWMClass={APP_NAME}",
            "",
        ]
    )


def entry_files(home: Path) -> list[Path]:
    """Every file the launcher consists of, under the data folder `home`."""
    icons = home / "icons" / "hicolor"
    files = [home / "applications" / f"{APP_ID}.desktop", icons / "scalable/apps" / f"{APP_ID}.svg"]
    files += [icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png" for size in PNG_SIZES]
    return files


def render_png(svg: Path, size: int, out: Path) -> None:
    """Draw the SVG icon at size×size pixels into a PNG file (QtSvg needs no QApplication)."""
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise OSError(f"the icon {svg} is not a readable SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(0)  # transparent around the rounded tile
    painter = QPainter(image)
    renderer.render(painter)
    painter.end()
    if not image.save(str(out), "PNG"):
        raise OSError(f"cannot write {out}")


def install(command: list[str], home: Path) -> list[Path]:
    """Write the launcher and its icons; return the files written. Raises OSError."""
    desktop, svg, *pngs = entry_files(home)
    for path in (desktop, svg, *pngs):
        path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(icon_svg(), svg)
    for size, png in zip(PNG_SIZES, pngs, strict=True):
        render_png(svg, size, png)
    # The launcher last: a menu entry never points at an icon that is not there yet.
    partial = desktop.with_suffix(".desktop.part")
    partial.write_text(desktop_file_text(command), encoding="utf-8")
    partial.replace(desktop)
    return [desktop, svg, *pngs]


def uninstall(home: Path) -> list[Path]:
    """Remove the launcher and its icons; return the files that were there."""
    removed = []
    for path in entry_files(home):
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed
