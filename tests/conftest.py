"""Test-wide settings: offscreen Qt, a private EASEL_HOME, Chromium without its sandbox (root)."""

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false;qt.rhi.*=false")

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(autouse=True)
def easel_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own settings and data folder."""
    home = tmp_path / "easel-home"
    home.mkdir()
    monkeypatch.setenv("EASEL_HOME", str(home))
    return home


def corpus_path(*parts: str) -> Path:
    """A file under ../shared/corpus, or skip the test when it is absent (a user's clone)."""
    path = CORPUS.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: ../shared/corpus is only beside a developer's checkout")
    return path


@pytest.fixture
def model_server():
    """A loopback server that speaks the model APIs' streaming protocols byte for byte."""
    from tests.model_server import ModelServer

    with ModelServer() as server:
        yield server
