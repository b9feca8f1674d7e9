"""Attachments end to end without widgets: real PNG, CSV and PDF files are read and checked,
stored with their message (migration m009), and sent in both wire formats to the loopback
model server, whose request bodies the tests read; a text-only model gets a note instead."""

from __future__ import annotations

import asyncio
import base64
import sqlite3
from pathlib import Path

import httpx
import pytest

from app.attachment_model import AttachmentError
from app.attachment_store import attachments_of_message, read_attached_file
from app.attachments import (
    MAX_FILE_BYTES,
    attachment_from_bytes,
    read_attachment,
    read_attachments,
    safe_name,
)
from app.image_fit import MAX_EDGE
from app.migrations import MIGRATIONS
from app.providers import make_provider
from app.session import ChatSession
from app.store import Store
from app.store_errors import StoreError
from app.vision import supports_vision
from tests.attachment_files import CSV_ROWS, write_csv, write_pdf, write_png
from tests.model_server import anthropic_text_reply, openai_text_reply


def _send(server, store, files, *, kind="openai", model="gpt-4o", prompt="look", cid=None):
    """One turn with attachments through a real provider; returns the conversation id."""

    async def go() -> int:
        async with httpx.AsyncClient() as client:
            base = server.openai_base if kind == "openai" else server.url
            provider = make_provider(kind, client=client, base_url=base, api_key="k", name="T")
            conversation = cid or store.create_conversation().id
            session = ChatSession(store, conversation, provider, model, system_prompt=None)
            await session.send(prompt, lambda event: None, attachments=tuple(files))
            return conversation

    return asyncio.run(go())


@pytest.fixture
def files(qapp, tmp_path: Path):
    """A PNG, a CSV and a two-page PDF, as attachments."""
    png = read_attachment(write_png(tmp_path / "chart.png"))
    csv = read_attachment(write_csv(tmp_path / "sales.csv"))
    pdf_path = write_pdf(tmp_path / "report.pdf", ["Quarterly report alpha", "Second page beta"])
    return png, csv, read_attachment(pdf_path)


def test_files_are_read_by_kind(files):
    png, csv, pdf = files
    assert (png.kind, png.mime, png.width, png.height) == ("image", "image/png", 64, 48)
    assert (csv.kind, csv.mime, csv.text) == ("text", "text/csv", CSV_ROWS)
    assert (pdf.kind, pdf.pages) == ("pdf", 2)
    assert pdf.text.split() == ["Quarterly", "report", "alpha", "Second", "page", "beta"]
    assert pdf.label() == "report.pdf (PDF, 2 pages)"


def test_big_image_is_downscaled_to_the_providers_limit(qapp, tmp_path: Path):
    big = read_attachment(write_png(tmp_path / "photo.png", 4000, 3000))
    assert (big.width, big.height) == (MAX_EDGE, MAX_EDGE * 3 // 4)
    assert big.mime == "image/jpeg" and big.data.startswith(b"\xff\xd8")
    clear = read_attachment(write_png(tmp_path / "icon.png", 3000, 200, alpha=True))
    assert clear.mime == "image/png" and clear.width == MAX_EDGE  # transparency kept


def test_refusals_are_one_sentence_naming_the_file(tmp_path: Path):
    missing = tmp_path / "nowhere.csv"
    with pytest.raises(AttachmentError, match="nowhere.csv does not exist"):
        read_attachment(missing)
    binary = tmp_path / "tool.exe"
    binary.write_bytes(b"MZ\x90\x00\x03\x00\x00\x00")
    with pytest.raises(AttachmentError, match=r"cannot attach tool\.exe: only images"):
        read_attachment(binary)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(AttachmentError, match=r"huge\.txt is too big to attach \(20\.0 MB"):
        read_attachment(huge)
    with pytest.raises(AttachmentError, match=r"broken\.pdf is not a PDF Easel can read"):
        attachment_from_bytes("broken.pdf", b"%PDF-1.4\nnot really")
    with pytest.raises(AttachmentError, match="at most 20 files"):
        read_attachments([missing] * 21)


def test_names_never_point_anywhere():
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\me\\secret.txt") == "secret.txt"
    assert safe_name("/abs/x.csv") == "x.csv"
    assert safe_name("..") == "file" and safe_name("a\x00b\n.txt") == "ab.txt"


def test_openai_gets_image_url_data_parts_and_named_text(model_server, tmp_path, files):
    png, csv, pdf = files
    store = Store(tmp_path / "h.sqlite3")
    model_server.enqueue(openai_text_reply("seen"))
    _send(model_server, store, files, model="gpt-4o")
    user = model_server.requests[-1].json()["messages"][-1]
    parts = user["content"]
    assert parts[0] == {
        "type": "image_url",
        "image_url": {"url": "data:image/png;base64," + base64.b64encode(png.data).decode()},
    }
    assert parts[1]["type"] == "text" and '<attached-file name="sales.csv"' in parts[1]["text"]
    assert CSV_ROWS in parts[1]["text"] and 'window.fs.readFile("sales.csv"' in parts[1]["text"]
    assert 'name="report.pdf" type="application/pdf" pages="2"' in parts[2]["text"]
    assert parts[-1] == {"type": "text", "text": "look"}


def test_anthropic_gets_base64_image_blocks(model_server, tmp_path, files):
    png = files[0]
    store = Store(tmp_path / "h.sqlite3")
    model_server.enqueue(anthropic_text_reply("seen"))
    _send(model_server, store, files, kind="anthropic", model="claude-sonnet-4-5")
    blocks = model_server.requests[-1].json()["messages"][-1]["content"]
    assert blocks[0] == {
        "type": "image",
        "source": {
            "type": "base64",
            "media_type": "image/png",
            "data": base64.b64encode(png.data).decode(),
        },
    }
    assert [b["type"] for b in blocks[1:]] == ["text", "text", "text"]
    assert "Second" in blocks[2]["text"] and blocks[3]["text"] == "look"


def test_text_only_model_gets_a_note_not_a_silent_drop(model_server, tmp_path, files):
    store = Store(tmp_path / "h.sqlite3")
    model_server.enqueue(openai_text_reply("ok"))
    _send(model_server, store, files[:2], model="deepseek-chat")
    content = model_server.requests[-1].json()["messages"][-1]["content"]
    assert isinstance(content, str)  # no parts at all for a text-only OpenAI-compatible API
    assert "image_url" not in model_server.requests[-1].body.decode()
    assert "attached the image chart.png (64×48), but this model cannot see images" in content
    assert CSV_ROWS in content and content.index("sales.csv") < content.index("look")


def test_history_replays_attachments_and_they_are_stored(model_server, tmp_path, files):
    store = Store(tmp_path / "h.sqlite3")
    model_server.enqueue(openai_text_reply("one"), openai_text_reply("two"))
    cid = _send(model_server, store, files[1:2], model="gpt-4o", prompt="chart it")
    _send(model_server, store, [], model="gpt-4o", prompt="again", cid=cid)
    first, _, second = model_server.requests[-1].json()["messages"]
    assert CSV_ROWS in first["content"] and second["content"] == "again"
    user = store.messages(cid)[0]
    assert [a.name for a in attachments_of_message(store, user.id)] == ["sales.csv"]
    assert read_attached_file(store, cid, "sales.csv") == CSV_ROWS.encode()
    assert read_attached_file(store, cid, "../sales.csv") is None
    store.delete_conversation(cid)
    assert store.read("SELECT COUNT(*) FROM attachments")[0][0] == 0


def test_m009_runs_on_a_database_made_before_it(tmp_path: Path):
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE _migrations (name TEXT PRIMARY KEY, applied REAL)")
    for migration in MIGRATIONS:
        if migration.__name__ != "m009_attachments":
            db.execute("BEGIN")
            migration(db)
            db.execute("INSERT INTO _migrations VALUES (?, 0)", (migration.__name__,))
            db.execute("COMMIT")
    cid = db.execute(
        "INSERT INTO conversations (id, title, created, updated) VALUES (1, 't', 0, 0)"
    ).lastrowid
    db.close()
    store = Store(path)
    assert store.read("SELECT name FROM _migrations WHERE name = 'm009_attachments'")
    assert store.read("SELECT COUNT(*) FROM attachments WHERE conversation_id = ?", (cid,))


def test_known_vision_models():
    for model in ("gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "qwen2.5-vl-72b"):
        assert supports_vision(model), model
    for model in ("deepseek-chat", "kimi-k2-0905", "test-model", "o3-mini", "glm-4.5"):
        assert not supports_vision(model), model


def test_ask_attach_sends_the_files_and_a_missing_one_exits_2(model_server, tmp_path, qapp):
    from tests.test_cli import _ask

    home = tmp_path / "home"
    csv = write_csv(tmp_path / "sales.csv")
    png = write_png(tmp_path / "shot.png")
    model_server.enqueue(openai_text_reply("charted"))
    done = _ask(model_server, "--attach", str(csv), "--attach", str(png), "chart", home=home)
    assert done.returncode == 0, done.stderr
    assert "test-model cannot see images" in done.stderr  # told before it is sent
    content = model_server.requests[-1].json()["messages"][-1]["content"]
    assert CSV_ROWS in content and "attached the image shot.png (64×48)" in content

    sent = len(model_server.requests)
    missing = _ask(model_server, "--attach", str(tmp_path / "gone.csv"), "hi", home=home)
    assert missing.returncode == 2
    assert missing.stderr.strip() == f"{tmp_path / 'gone.csv'} does not exist."
    assert len(model_server.requests) == sent  # nothing was sent


def test_files_that_cannot_be_stored_leave_no_message_and_send_nothing(model_server, tmp_path):
    store = Store(tmp_path / "h.sqlite3")
    cid = store.create_conversation().id
    (pages,) = store.read("PRAGMA page_count")[0]
    store.read(f"PRAGMA max_page_count = {pages + 4}")  # room for the prompt, not the file
    big = attachment_from_bytes("big.csv", b"a,b\n" * 100_000)
    with pytest.raises(StoreError, match="disk"):
        _send(model_server, store, [big], prompt="chart", cid=cid)
    assert store.messages(cid) == [] and model_server.requests == []
