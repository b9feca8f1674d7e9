"""Open in the system browser writes a private new file, never through a planted symlink."""

from __future__ import annotations

import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from app.private_files import write_private_file
from app.publish import Publisher
from app.store import ArtifactVersion
from sandbox.profile import ArtifactProfile, make_artifact_profile
from sandbox.scheme import register_scheme
from widgets.artifact_tab import ArtifactTab

register_scheme()

PAGE = "<!DOCTYPE html><title>Breakout</title><p>the artifact</p>"


def _plant(tmp: Path, name: str) -> Path:
    """Another user's trap at the old shared path: /tmp/easel-open/<name> -> a victim file."""
    victim = tmp / "victim.txt"
    victim.write_text("precious", "utf-8")
    (tmp / "easel-open").mkdir()
    (tmp / "easel-open" / name).symlink_to(victim)
    return victim


def _assert_private(path: Path, tmp: Path) -> None:
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert not path.is_symlink() and path.parent.parent == tmp
    assert path.parent.name != "easel-open"


def test_a_planted_symlink_is_not_followed_and_the_file_is_private(tmp_path: Path) -> None:
    victim = _plant(tmp_path, "game.html")
    first = write_private_file("game.html", PAGE, parent=tmp_path)
    second = write_private_file("game.html", PAGE, parent=tmp_path)
    assert victim.read_text("utf-8") == "precious"
    assert first.read_text("utf-8") == PAGE and first != second
    _assert_private(first, tmp_path)


def test_an_existing_file_or_link_in_the_folder_is_never_written_through(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Should the folder ever be predictable again, O_EXCL | O_NOFOLLOW still refuse the trap.
    victim = _plant(tmp_path, "game.html")
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **_: str(tmp_path / "easel-open"))
    with pytest.raises(OSError):
        write_private_file("game.html", PAGE)
    assert victim.read_text("utf-8") == "precious"


def test_a_title_cannot_walk_out_of_the_private_folder(tmp_path: Path) -> None:
    path = write_private_file("../../etc/evil.html", PAGE, parent=tmp_path)
    assert path.name == "evil.html" and path.parent.parent == tmp_path
    assert write_private_file("..", PAGE, parent=tmp_path).name == "page.html"


class _Browser(QObject):
    """Stands in for the system browser: records the URLs Easel hands over."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


@pytest.fixture
def browser() -> Iterator[_Browser]:
    recorder = _Browser()
    QDesktopServices.setUrlHandler("file", recorder, "open")
    yield recorder
    QDesktopServices.unsetUrlHandler("file")


@pytest.fixture(scope="module")
def profile(qapp) -> Iterator[ArtifactProfile]:
    made = make_artifact_profile()
    yield made
    made.deleteLater()
    qapp.processEvents()


def test_open_in_browser_hands_over_a_private_file(
    qtbot, profile, browser, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    victim = _plant(tmp_path, "breakout.html")
    tab = ArtifactTab("c/breakout", "breakout", profile, Publisher())
    tab.current = ArtifactVersion(
        1, 1, "breakout", 1, "text/html", "Breakout", PAGE, "full", None, True, 0.0
    )
    try:
        tab.open_in_browser()
    finally:
        tab.deleteLater()
        qtbot.wait(1)
    assert len(browser.urls) == 1
    opened = Path(browser.urls[0].toLocalFile())
    assert opened.name == "breakout.html" and "the artifact" in opened.read_text("utf-8")
    assert victim.read_text("utf-8") == "precious"
    _assert_private(opened, tmp_path)
