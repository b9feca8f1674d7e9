"""Test-wide settings: offscreen Qt, a private EASEL_HOME, Chromium without its sandbox (root)."""

import asyncio
import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QTWEBENGINE_CHROMIUM_FLAGS", "--no-sandbox")
os.environ.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false;qt.rhi.*=false")

# Before PySide6 makes its first enum class, as the app does (easel/quick_enums.py).
from easel.quick_enums import install as install_quick_enums  # noqa: E402

install_quick_enums()

# The artifact scheme must be registered, and the engine routed through the network gate, before
# pytest-qt creates the QApplication: the tests run behind the same wall as the app.
from sandbox.engine import add_gpu_switches, start_network_wall  # noqa: E402
from sandbox.scheme import register_scheme  # noqa: E402

register_scheme()
NETWORK_GATE = start_network_wall()
add_gpu_switches()  # offscreen: WebGL in software, as in the app without a GPU

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "corpus"


@pytest.fixture(autouse=True)
def easel_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own settings and data folder."""
    home = tmp_path / "easel-home"
    home.mkdir()
    monkeypatch.setenv("EASEL_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def network_gate():
    """The engine's only proxy for this test run (see sandbox/engine.py)."""
    return NETWORK_GATE


@pytest.fixture(scope="module")
def profile(qapp, network_gate):
    """One artifact profile per test module, behind the gate: what the app does (one profile,
    many artifacts)."""
    from sandbox.profile import make_artifact_profile

    made = make_artifact_profile(gate=network_gate)
    yield made
    made.deleteLater()
    qapp.processEvents()


@pytest.fixture
def view(qtbot, profile):
    """A shown artifact view of the module's profile; links are reported, never opened."""
    from sandbox.view import ArtifactView

    made = ArtifactView(profile, open_links=False)
    made.resize(1024, 760)
    made.show()
    yield made
    made.close()
    made.deleteLater()
    qtbot.wait(1)  # let deleteLater run before the profile goes


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


@pytest.fixture(scope="session")
def qasync_loop(qapp):
    """One qasync loop for the whole run, living inside Qt's event processing.

    Tests never call run_until_complete on it: each ends with QApplication.exit(), whose
    aboutToQuit tears down QtWebEngine's context, and later web views crash. Use `run_async`.
    """
    import qasync

    qapp.setQuitOnLastWindowClosed(False)  # as main.py does: run() decides when to end
    loop = qasync.QEventLoop(qapp, already_running=True)
    # It counts as running only inside run_async, so other tests may still use asyncio.run.
    asyncio.events._set_running_loop(None)
    # As main.py does: qasync lacks these hooks, and httpx leaves inner generators to finalise.
    hooks = sys.get_asyncgen_hooks()
    sys.set_asyncgen_hooks(
        firstiter=loop._asyncgen_firstiter_hook, finalizer=loop._asyncgen_finalizer_hook
    )
    yield loop
    sys.set_asyncgen_hooks(*hooks)
    # Join the executor's threads (keyring calls ran there): Qt aborts on live QThreads.
    executor = loop._QEventLoop__default_executor
    if executor is not None:
        executor.shutdown()


@pytest.fixture
def run_async(qasync_loop, qtbot):
    """Run a coroutine to its end on the qasync loop while Qt processes events."""

    def run(coroutine, timeout: float = 90.0):
        asyncio.events._set_running_loop(qasync_loop)
        asyncio.set_event_loop(qasync_loop)
        try:
            future = asyncio.ensure_future(coroutine, loop=qasync_loop)
            qtbot.waitUntil(future.done, timeout=int(timeout * 1000))
        finally:
            asyncio.events._set_running_loop(None)
            asyncio.set_event_loop(None)
        return future.result()

    return run
