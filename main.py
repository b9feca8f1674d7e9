"""Run Easel from a checkout: `python main.py …` is the same as the installed `easel …`.

The composition root lives in easel/main.py so that the wheel's `easel` command can import it;
this file only hands over the command line. Nothing imports it.
"""

from easel.main import run

if __name__ == "__main__":
    run()
