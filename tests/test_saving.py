"""Saving from the real window: last folder per kind, never the working directory, "Show in
folder", and a document artifact as .html, .md or an A4 .pdf."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QLabel, QMessageBox

from app.config import load_settings
from tests.model_server import openai_text_reply
from tests.test_gui import _close, _send_and_wait, _start, _until

DOC = "# Trip plan\n\nDay one: the **museum**, then lunch by the river.\n"
REPLY = (
    "Your plan:\n"
    f'<artifact identifier="trip" type="text/markdown" title="Trip plan">\n{DOC}</artifact>\n'
)


class _Opened(QObject):
    """Receives the URLs Qt would hand to the desktop (registered as the file: handler)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:  # noqa: A003 (the handler's method name)
        self.urls.append(url)


@pytest.fixture
def opened():
    receiver = _Opened()
    QDesktopServices.setUrlHandler("file", receiver, "open")
    yield receiver
    QDesktopServices.unsetUrlHandler("file")


async def _save_through_dialog(window, action: str, target: Path) -> str:
    """Trigger the action, note the folder its dialog opened in, save as `target`."""
    window.actions[action].trigger()
    await _until(lambda: window.findChild(QFileDialog) is not None)
    dialog = window.findChild(QFileDialog)
    folder = dialog.directory().absolutePath()
    dialog.selectFile(str(target))
    dialog.accept()
    await _until(lambda: window.findChild(QFileDialog) is None)
    return folder


def _notice(window) -> QLabel | None:
    notice = window.statusBar().findChild(QLabel, "savedNotice")
    return notice if notice is not None and notice.isVisible() else None


def test_each_kind_reopens_its_last_folder_and_saves_are_confirmed(
    qasync_loop, run_async, model_server, tmp_path, monkeypatch, opened
):
    cwd = tmp_path / "started-here"
    cwd.mkdir()
    monkeypatch.chdir(cwd)
    pages, exports = tmp_path / "pages", tmp_path / "exports"
    pages.mkdir(), exports.mkdir()
    model_server.enqueue(openai_text_reply(REPLY))

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        window = easel.window
        await _send_and_wait(easel, "plan a trip")
        first = await _save_through_dialog(window, "save-artifact", pages / "trip.md")
        assert Path(first) != cwd
        await _until(lambda: (pages / "trip.md").exists() and _notice(window) is not None)
        assert (pages / "trip.md").read_text() == DOC  # the Markdown source, as written
        assert "Saved trip.md" in _notice(window).text()
        _notice(window).linkActivated.emit("show")
        assert [u.toLocalFile() for u in opened.urls] == [str(pages)]
        # Exports have their own folder: not the artifact's, not the working directory.
        export_from = await _save_through_dialog(window, "export-md", exports / "trip")
        assert Path(export_from) not in (cwd, pages)
        await _until(lambda: (exports / "trip.md").exists())
        assert "Saved trip.md" in _notice(window).text()
        again = await _save_through_dialog(window, "save-artifact", pages / "trip.pdf")
        assert Path(again) == pages
        await _until(lambda: (pages / "trip.pdf").exists())
        export_again = await _save_through_dialog(window, "export-html", exports / "t.html")
        assert Path(export_again) == exports
        await _until(lambda: (exports / "t.html").exists())
        await _close(easel, task)

    run_async(scenario())
    remembered = load_settings().last_folders
    assert remembered == {"artifact": str(pages), "export": str(exports)}
    reader = PdfReader(io.BytesIO((pages / "trip.pdf").read_bytes()))
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Trip plan" in text and "museum" in text
    width, height = float(reader.pages[0].mediabox.width), float(reader.pages[0].mediabox.height)
    assert abs(width - 595) < 2 and abs(height - 842) < 2  # A4


def test_a_document_saves_as_html_by_default(qasync_loop, run_async, model_server, tmp_path):
    model_server.enqueue(openai_text_reply(REPLY))

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        await _send_and_wait(easel, "plan a trip")
        await _save_through_dialog(easel.window, "save-artifact", tmp_path / "plan")
        await _until(lambda: (tmp_path / "plan.html").exists())
        await _close(easel, task)

    run_async(scenario())
    page = (tmp_path / "plan.html").read_text()
    assert "<html" in page.lower() and "museum" in page


def test_a_vanished_folder_falls_back_to_documents_or_home_never_the_cwd(tmp_path, monkeypatch):
    from app.config import Settings
    from widgets.file_folders import FileFolders

    monkeypatch.chdir(tmp_path)
    gone = tmp_path / "gone"
    saved = []
    folders = FileFolders(Settings(last_folders={"pdf": str(gone)}), lambda: saved.append(1))
    assert folders.folder("pdf") != tmp_path and folders.folder("pdf").is_dir()
    kept = tmp_path / "kept"
    kept.mkdir()
    folders.remember("pdf", kept / "a.pdf")
    folders.remember("pdf", kept / "b.pdf")  # the same folder: nothing to save again
    assert folders.folder("pdf") == kept and saved == [1]
    assert folders.folder("export") not in (kept, tmp_path)


def test_unreadable_last_folders_in_settings_are_dropped(easel_home):
    import json

    from app.config import home_dirs

    path = home_dirs()[0] / "settings.json"
    path.write_text(json.dumps({"version": 1, "last_folders": {"pdf": 3, "export": "/x"}}))
    assert load_settings().last_folders == {"export": "/x"}
    path.write_text(json.dumps({"version": 1, "last_folders": ["/x"]}))
    assert load_settings().last_folders == {}


def test_a_long_conversation_exports_off_the_gui_thread_and_a_failure_is_said(
    qasync_loop, run_async, model_server, tmp_path, monkeypatch
):
    """The page is made on a worker thread from what was read at once; it is the same page
    the one-shot export makes. A page that cannot be made is said in a box; no file appears."""
    import threading

    import app.transcript_export as export
    import widgets.conversation_export as conversation_export

    threads: list[bool] = []
    made = export.page_html

    def recording(read):
        threads.append(threading.current_thread() is threading.main_thread())
        return made(read)

    monkeypatch.setattr(conversation_export, "page_html", recording)
    model_server.enqueue(openai_text_reply(REPLY))

    async def scenario():
        easel, task = await _start(qasync_loop, model_server)
        await _send_and_wait(easel, "plan a trip")
        store, cid = easel.store, easel.chat.conversation_id
        for n in range(300):
            store.add_message(cid, "user" if n % 2 else "assistant", f"Step **{n}**\n\n- a\n")
        await _save_through_dialog(easel.window, "export-html", tmp_path / "long.html")
        await _until(lambda: (tmp_path / "long.html").exists())
        assert threads == [False]
        conversation = store.get_conversation(cid)
        assert (tmp_path / "long.html").read_text("utf-8") == export.conversation_html(
            store, conversation
        )

        def broken(read):
            raise ValueError("the page could not be made")

        monkeypatch.setattr(conversation_export, "page_html", broken)
        await _save_through_dialog(easel.window, "export-html", tmp_path / "broken.html")
        await _until(lambda: easel.window.findChild(QMessageBox) is not None)
        box = easel.window.findChild(QMessageBox)
        assert "the page could not be made" in box.text()
        assert not (tmp_path / "broken.html").exists()
        box.close()
        await _close(easel, task)

    run_async(scenario())
