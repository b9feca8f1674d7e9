"""The zh_CN catalogue is complete and current, and the language is chosen as DESIGN.md §5 says.

Every `translate("Context", "Text")` in the tree must have literal arguments (pyside6-lupdate
reads only those) and a finished translation in assets/translations/easel_zh_CN.ts that keeps
its placeholders, markup and menu accelerator; the committed .qm must be what lrelease makes of
that .ts. So a string added later fails here until `scripts/translations update`, a translator,
and `scripts/translations build` have been through it.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app.config import Settings, load_settings, save_settings
from widgets.language import (
    CHINESE,
    ENGLISH,
    choose_language,
    install_language,
    remove_language,
    running_language,
    system_language,
)

ROOT = Path(__file__).resolve().parents[1]
TS = ROOT / "assets" / "translations" / "easel_zh_CN.ts"
QM = ROOT / "assets" / "translations" / "easel_zh_CN.qm"
SOURCES = ("app", "widgets", "sandbox", "easel")
TRANSCRIPT_JS = ROOT / "assets" / "transcript" / "transcript.js"


def _translate_calls() -> list[tuple[str, int, ast.Call]]:
    calls = []
    for package in SOURCES:
        for module in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(module.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.Call) and getattr(node.func, "id", None) in (
                    "translate",
                    "QT_TRANSLATE_NOOP",
                ):
                    calls.append((str(module.relative_to(ROOT)), node.lineno, node))
    return calls


def _literal(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _catalogue() -> dict[tuple[str, str], ET.Element]:
    messages = {}
    for context in ET.parse(TS).getroot().iter("context"):
        for message in context.iter("message"):
            messages[context.findtext("name", ""), message.findtext("source", "")] = message
    return messages


def test_every_translate_call_has_literal_arguments():
    """lupdate cannot read an f-string or a variable: such a string would stay English."""
    bad = [
        f"{path}:{line}"
        for path, line, call in _translate_calls()
        if len(call.args) < 2 or _literal(call.args[0]) is None or _literal(call.args[1]) is None
    ]
    assert bad == [], "translate() needs a literal context and text at " + ", ".join(bad)


def test_every_string_has_a_finished_translation():
    catalogue = _catalogue()
    missing = []
    for path, line, call in _translate_calls():
        key = (_literal(call.args[0]), _literal(call.args[1]))
        message = catalogue.get(key)
        translation = message.find("translation") if message is not None else None
        if translation is None or translation.get("type") or not translation.text:
            missing.append(f"{path}:{line} {key[0]}: {key[1]!r}")
    assert missing == [], (
        "run scripts/translations update, translate these in the .ts, then scripts/translations "
        "build:\n" + "\n".join(missing)
    )


def _shape(text: str) -> tuple[list[str], list[str], bool]:
    """What a translation must keep: {placeholders}, %n, markup tags and links, an accelerator."""
    fields = sorted(re.findall(r"\{\w*\}|%n|%\d", text))
    markup = sorted(re.findall(r"<(/?\w+)|href='(\w+)'", text), key=str)
    accelerator = re.search(r"&[^&\s]", text) is not None
    return fields, [str(m) for m in markup], accelerator


def test_translations_keep_placeholders_markup_and_accelerators():
    wrong = []
    for (context, source), message in _catalogue().items():
        translation = message.findtext("translation") or ""
        if translation and _shape(source) != _shape(translation):
            wrong.append(f"{context}: {source!r} -> {translation!r}")
    assert wrong == []


def _tool(name: str) -> str:
    found = Path(sys.executable).with_name(name)
    if not found.exists() and shutil.which(name) is None:
        pytest.skip(f"{name} (PySide6's tool) is not installed next to this Python")
    return str(found) if found.exists() else str(shutil.which(name))


def test_the_committed_qm_is_built_from_the_ts(tmp_path):
    """The .qm ships in the wheel as committed: it must not lag behind the .ts."""
    built = tmp_path / "built.qm"
    command = [_tool("pyside6-lrelease"), "-nounfinished", "-removeidentical", str(TS)]
    subprocess.run([*command, "-qm", str(built)], check=True, capture_output=True)
    assert built.read_bytes() == QM.read_bytes(), "run scripts/translations build"


def test_the_ts_lists_exactly_the_strings_in_the_code():
    """No leftovers from strings that are gone (scripts/translations update drops them)."""
    in_code = {(_literal(c.args[0]), _literal(c.args[1])) for _, _, c in _translate_calls()}
    assert set(_catalogue()) == in_code


def test_every_transcript_page_word_is_handed_over():
    """transcript.js looks its words up in page_strings(); one missing would stay English."""
    from widgets.transcript_strings import SOURCES as PAGE_SOURCES
    from widgets.transcript_strings import page_strings

    script = TRANSCRIPT_JS.read_text(encoding="utf-8")
    looked_up = set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"\)', script))
    # Labels in the script's tables go through t() where they are shown.
    for table in ("TYPE_LABELS", "STATE_LABELS", "TOOL_STATES", "APPROVALS"):
        body = re.search(rf"const {table} = ([{{\[].*?[}}\]]);", script, re.S)
        assert body, table
        looked_up |= {
            text for text in re.findall(r'"([^"]+)"\]?', body.group(1))
            if re.search(r"[A-Z]", text[:1]) and text not in ("HTML", "SVG", "React")
        }  # fmt: skip
    assert looked_up - set(PAGE_SOURCES) == set()
    assert page_strings() == {text: text for text in PAGE_SOURCES}  # English: as written


def test_qt_still_lacks_what_easel_supplies(qapp):
    """Each Qt string Easel translates itself is one Qt's own catalogue leaves English."""
    from widgets.qt_catalogue_gaps import GAPS

    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    qtbase = QTranslator()
    assert qtbase.load("qtbase_zh_CN", folder)
    for context, source in GAPS:
        assert qtbase.translate(context, source) == "", f"Qt translates {source!r} now: drop it"


@pytest.mark.parametrize(
    ("option", "saved", "locale", "expected"),
    [
        (None, "system", "zh_CN", CHINESE),
        (None, "system", "zh_TW", CHINESE),
        (None, "system", "fr_FR", ENGLISH),
        (None, "zh_CN", "en_US", CHINESE),
        (None, "en", "zh_CN", ENGLISH),
        ("en", "zh_CN", "zh_CN", ENGLISH),
        ("zh_CN", "en", "en_US", CHINESE),
        ("system", "en", "zh_CN", CHINESE),
        (None, "klingon", "zh_CN", CHINESE),
    ],
)
def test_the_option_beats_the_setting_beats_the_system(option, saved, locale, expected):
    assert choose_language(option, saved, QLocale(locale)) == expected


def test_system_language_follows_the_locale():
    assert system_language(QLocale("zh_SG")) == CHINESE
    assert system_language(QLocale("de_DE")) == ENGLISH


def test_the_setting_is_saved_and_a_bad_one_follows_the_system(easel_home):
    save_settings(Settings(language="zh_CN"))
    assert load_settings().language == "zh_CN"
    (settings_file,) = list(easel_home.rglob("settings.json"))
    settings_file.write_text('{"language": "tlh"}', encoding="utf-8")
    assert load_settings().language == "system"


def test_the_language_option_is_checked_and_never_saved(easel_home, monkeypatch):
    from easel import main as easel_main

    seen = {}
    monkeypatch.setattr(easel_main, "run_app", lambda args: seen.setdefault("args", args) and 0)
    easel_main.main(["--language", "zh_CN"])
    assert seen["args"].language == "zh_CN"
    assert load_settings().language == "system"
    with pytest.raises(SystemExit) as raised:
        easel_main.main(["--language", "fr"])
    assert raised.value.code == 2


def test_translators_make_qt_and_easel_speak_chinese_and_go_away(qapp):
    from app.i18n import translate

    translators = install_language(qapp, CHINESE)
    try:
        assert len(translators) == 3
        assert running_language() == CHINESE
        assert translate("MainWindow", "&File") == "文件(&F)"
        assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"  # Qt's own
    finally:
        remove_language(qapp, translators)
    assert translate("MainWindow", "&File") == "&File"
    assert install_language(qapp, ENGLISH) == []
    remove_language(qapp, [])  # the locale back to the system's for the tests after this one


def test_the_headless_commands_stay_english():
    """No translator is installed outside the window: app/ messages keep their English."""
    code = (
        "from app.providers.errors import ErrorContext, error_from_response;"
        "import PySide6.QtCore;"
        "c = ErrorContext(provider='DeepSeek', url='https://api.deepseek.com/v1', has_key=True);"
        "print(error_from_response(c, 401, b'{}', {}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith("DeepSeek rejected the API key (401).")
