"""Easel as a program: the composition root (easel.main), the desktop launcher, and the check
of Qt's system libraries that runs before Qt does.

`easel` (the installed command), `python -m easel` and a checkout's `python main.py` all run
easel.main.run. The version lives here once; pyproject.toml reads it.
"""

__version__ = "0.1.0"

# The launcher's file name, the icon's theme name and Qt's desktopFileName (the Wayland app id).
APP_ID = "easel"
# The QApplication's name, which Qt also gives X11 windows as their WM_CLASS class: the launcher's
# StartupWMClass says the same, so docks and task bars tie the running window to it. (Here, not
# in desktop_entry.py, so that the start does not import QtSvg for two names.)
APP_NAME = "Easel"
