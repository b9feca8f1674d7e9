"""Easel as a program: the composition root (easel.main), the desktop launcher, and the check
of Qt's system libraries that runs before Qt does.

`easel` (the installed command), `python -m easel` and a checkout's `python main.py` all run
easel.main.run. The version lives here once; pyproject.toml reads it.
"""

__version__ = "0.1.0"
