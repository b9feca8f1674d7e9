"""The desktop app's first moments (widgets/early_start.py): the transcript page starts loading
at once, and the rest of the app is imported on a thread while Qt's event loop keeps running."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QTimer

from widgets.early_start import import_meanwhile, start_early


@pytest.fixture
def slow_modules(tmp_path, monkeypatch):
    """Two modules of our own: one slow to import, one that fails."""
    (tmp_path / "easel_slow_module.py").write_text(
        "import time\ntime.sleep(0.3)\nVALUE = 42\n", encoding="utf-8"
    )
    (tmp_path / "easel_broken_module.py").write_text("raise RuntimeError('broken')\n", "utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in ("easel_slow_module", "easel_broken_module"):
        sys.modules.pop(name, None)


def test_the_event_loop_runs_while_the_modules_import(qapp, slow_modules):
    ticks = []
    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start()
    import_meanwhile(["easel_slow_module"])
    timer.stop()
    assert sys.modules["easel_slow_module"].VALUE == 42
    assert len(ticks) >= 5  # Qt went on (the engine's start, a page loading) while it imported


def test_an_import_that_fails_raises_on_the_calling_thread(qapp, slow_modules):
    with pytest.raises(RuntimeError, match="broken"):
        import_meanwhile(["json", "easel_broken_module"])


def test_the_transcript_page_starts_loading_under_the_theme(qapp, qtbot):
    sheet, palette = qapp.styleSheet(), qapp.palette()
    early = start_early(qapp, "dark")
    try:
        assert early.theme.scheme() == "dark"
        assert qapp.palette().window().color().lightness() < 128
        # The style sheet waits for the window's widgets (EaselApp sets it once they are built).
        assert qapp.styleSheet() == sheet
        early.theme.apply_style_sheet()
        assert qapp.styleSheet() != sheet
        with qtbot.waitSignal(early.transcript_page.loadFinished, timeout=20_000) as finished:
            pass
        assert finished.args == [True] and early.transcript_page.first_load is True
        dark = qtbot.waitCallback(timeout=10_000)
        early.transcript_page.runJavaScript(
            "matchMedia('(prefers-color-scheme: dark)').matches", 0, dark
        )
        dark.wait()
        assert dark.args == [True]  # the page loaded under the window's scheme
    finally:
        early.theme.set_mode("light")
        qapp.setStyleSheet(sheet)
        qapp.setPalette(palette)
        early.transcript_page.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
