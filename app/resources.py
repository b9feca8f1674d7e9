"""Where Easel's run-time files are: style sheet, transcript page, artifact CSS, vendored
libraries, icons.

From a checkout they are the `assets/` folder of the source tree this code runs from; an
installed wheel carries the same folder as the package `easel_assets` (pyproject.toml maps
`assets/` onto that name), found through importlib.resources. Neither depends on the current
working directory, so `easel` works from any folder.
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path

# The folder holding app/, widgets/, sandbox/: a checkout, or site-packages when installed.
_TREE = Path(__file__).resolve().parents[1]
# The wheel's name for assets/: a bare `assets` package would collide with other projects.
PACKAGE = "easel_assets"


@functools.cache
def assets_root() -> Path:
    """The folder of Easel's run-time files (found once)."""
    checkout = _TREE / "assets"
    # A checkout: the assets beside this very code (pyproject.toml says it is Easel's tree,
    # so a stray `assets` folder in site-packages is never taken for ours).
    if (_TREE / "pyproject.toml").is_file() and (checkout / "__init__.py").is_file():
        return checkout
    root = resources.files(PACKAGE)
    if not isinstance(root, Path):  # a zipped install: Qt and the scheme handler need files
        raise RuntimeError(f"Easel's files ({PACKAGE}) must be installed as a folder, not zipped.")
    return root


def asset(*parts: str) -> Path:
    """One file or folder of the run-time files, e.g. asset("transcript", "transcript.html")."""
    return assets_root().joinpath(*parts)


def icon_svg() -> Path:
    """The application icon (the window's and the launcher's)."""
    return asset("icons", "easel.svg")
