"""The streaming preview of a Tailwind page is styled by Tailwind, yet runs none of the page.

The preview is script-free (app/partial_preview.py); Tailwind's play script builds its CSS at
run time, so the view runs the vendored copy in Easel's isolated world on the preview's DOM.
"""

from __future__ import annotations

from app.partial_preview import FRAMEWORK_META, framework_script, partial_preview

LOAD_MS = 20_000
BLUE_500 = "rgb(59, 130, 246)"  # Tailwind v3 bg-blue-500

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<script src="https://cdn.tailwindcss.com"></script>
<script>tailwind.config = {theme: {extend: {}}}; document.title = "PWNED"; window.ran = 1;</script>
</head>
<body class="bg-gray-100">
<div id="box" class="bg-blue-500 p-4 text-white rounded-lg">Score</div>
<p id="later" class="mt-8 text-2xl font-bold">More</p>
<script>document.title = "PWNED";</script>
</body>
</html>"""


def computed(qtbot, view, element: str, prop: str) -> str:
    answers: list = []
    script = f"(e => e ? getComputedStyle(e).{prop} : '')(document.getElementById('{element}'))"
    view.page().runJavaScript(script, 0, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=LOAD_MS)
    return answers[0]


def main_world(qtbot, view, script: str) -> object:
    answers: list = []
    view.page().runJavaScript(script, 0, answers.append)
    qtbot.waitUntil(lambda: bool(answers), timeout=LOAD_MS)
    return answers[0]


def test_the_preview_names_only_a_vendored_tailwind_build():
    assert framework_script(partial_preview(PAGE)).package == "tailwindcss-cdn"
    v4 = '<script src="https://cdn.jsdelivr.net/npm/@tailwindcss/browser@4"></script>'
    assert framework_script(partial_preview(v4)).package == "@tailwindcss/browser"
    other = '<script src="https://cdn.jsdelivr.net/npm/chart.js"></script><div class="p-4">'
    assert FRAMEWORK_META not in partial_preview(other)
    forged = f'<meta name="{FRAMEWORK_META}" content="https://cdn.tailwindcss.com"><p>x'
    assert FRAMEWORK_META not in partial_preview(forged)  # the page cannot ask for it itself


def test_a_streaming_tailwind_page_is_styled_as_it_grows(qtbot, view):
    cut = PAGE.index('<p id="later"')
    view.show_partial("tw-stream", partial_preview(PAGE[: PAGE.index("<body")]))
    view.show_partial("tw-stream", partial_preview(PAGE[:cut]))
    qtbot.waitUntil(
        lambda: computed(qtbot, view, "box", "backgroundColor") == BLUE_500, timeout=LOAD_MS
    )
    assert computed(qtbot, view, "box", "paddingTop") == "16px"
    # The next piece swaps the document: the new classes are styled too, the old stay styled.
    view.show_partial("tw-stream", partial_preview(PAGE[: PAGE.index("<script>document")]))
    qtbot.waitUntil(lambda: computed(qtbot, view, "later", "fontSize") == "24px", timeout=LOAD_MS)
    assert computed(qtbot, view, "box", "backgroundColor") == BLUE_500
    # None of the page's own scripts ran, and Tailwind lives only in Easel's world.
    assert view.title() != "PWNED"
    assert main_world(qtbot, view, "typeof window.ran + ' ' + typeof window.tailwind") == (
        "undefined undefined"
    )


def test_a_page_without_tailwind_gets_no_tailwind(qtbot, view):
    page = '<!DOCTYPE html><html><head></head><body><div id="box" class="bg-blue-500">x</div>'
    view.show_partial("tw-none", partial_preview(page))
    qtbot.waitUntil(lambda: computed(qtbot, view, "box", "display") == "block", timeout=LOAD_MS)
    view.show_partial("tw-none", partial_preview(page + '<p id="more">more</p>'))
    qtbot.waitUntil(lambda: computed(qtbot, view, "more", "display") == "block", timeout=LOAD_MS)
    assert computed(qtbot, view, "box", "backgroundColor") == "rgba(0, 0, 0, 0)"
    assert view._framework is None
