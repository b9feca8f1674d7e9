"""`python -m easel`: the same as the `easel` command."""

from easel.main import run

run()
