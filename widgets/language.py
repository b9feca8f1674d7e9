"""The window's language: which one, and Qt's translators that make the text speak it.

Easel speaks English or Simplified Chinese (zh_CN). The choice, strongest first: `--language`
for one run (never saved), the setting (Settings ▸ Language, saved in settings.json), then the
system locale: any Chinese locale (zh_*) gets zh_CN, everything else English. The translators
are installed on the QApplication before the window is built, because each widget reads its
text once, when it is made; a new choice therefore takes effect at the next start.

Two catalogues are loaded: Easel's own (assets/translations/easel_zh_CN.qm, compiled from the
.ts source by scripts/translations) and Qt's own for its dialogs and the web views' context
menus (qtbase_zh_CN.qm and qtwebengine_zh_CN.qm, shipped inside PySide6).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QObject, Qt, QTranslator
from PySide6.QtGui import QAction, QActionGroup
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from app.config import LANGUAGES, Settings, save_settings
from app.i18n import translate
from app.resources import asset

log = logging.getLogger(__name__)

ENGLISH = "en"
CHINESE = "zh_CN"
# Qt's own catalogues loaded beside Easel's: its dialogs, and the web views' menus.
QT_CATALOGUES = ("qtbase", "qtwebengine")
CATALOGUE_FOLDER = asset("translations")


def system_language(locale: QLocale | None = None) -> str:
    """The language the system asks for: zh_CN for any Chinese locale, else English."""
    locale = locale if locale is not None else QLocale.system()
    return CHINESE if locale.name().startswith("zh") else ENGLISH


def choose_language(option: str | None, saved: str, locale: QLocale | None = None) -> str:
    """The language of this run: `--language` when given (its "system" too), else the setting;
    "system" follows the locale."""
    wanted = option if option is not None else saved
    if wanted in (ENGLISH, CHINESE):
        return wanted
    if wanted != "system":
        log.warning("unknown language %r; following the system", wanted)
    return system_language(locale)


def install_language(app: QCoreApplication, language: str) -> list[QTranslator]:
    """Install the translators for `language` on `app` (none for English); returns them so a
    caller (a test) can remove them again. A missing catalogue leaves that part English."""
    QLocale.setDefault(QLocale(language))  # numbers, dates, Qt's own buttons
    if language == ENGLISH:
        return []
    qt_folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    sources = [(name, qt_folder) for name in QT_CATALOGUES]
    sources.append(("easel", str(CATALOGUE_FOLDER)))
    installed = []
    for name, folder in sources:
        translator = QTranslator(app)
        if translator.load(f"{name}_{language}", folder):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            log.warning("no %s translations for %s in %s", name, language, folder)
    return installed


def remove_language(app: QCoreApplication, translators: list[QTranslator]) -> None:
    """Undo install_language (the locale goes back to the system's)."""
    for translator in translators:
        app.removeTranslator(translator)
        translator.deleteLater()
    QLocale.setDefault(QLocale.system())


def running_language() -> str:
    """The language this run speaks (install_language set the default locale)."""
    return CHINESE if QLocale().name().startswith("zh") else ENGLISH


def fill_language_menu(menu: QMenu, settings: Settings) -> QActionGroup:
    """The Settings ▸ Language choices, the saved one checked; choosing one saves it in
    `settings` and, when it differs from this run's, says it applies at the next start."""
    labels = {
        "system": translate("Language", "Follow the system"),
        # Each language is named in itself, so a user who cannot read the other finds theirs.
        ENGLISH: "English",
        CHINESE: "简体中文",
    }
    group = QActionGroup(menu)
    for value in LANGUAGES:
        action = QAction(labels[value], menu)
        action.setCheckable(True)
        action.setChecked(value == settings.language)
        action.setData(value)
        group.addAction(action)
        menu.addAction(action)

    def chosen(action: QAction) -> None:
        settings.language = str(action.data())
        try:
            save_settings(settings)
        except OSError as error:  # kept for this run's menu; the next start follows the system
            log.warning("could not save settings: %s", error)
        wanted = choose_language(None, settings.language)
        if wanted != running_language():
            _say_next_start(menu.parentWidget(), labels[wanted])

    group.triggered.connect(chosen)
    return group


def _say_next_start(parent: QWidget | QObject | None, name: str) -> QMessageBox:
    text = translate("Language", "Easel will speak {language} the next time it starts.")
    box = QMessageBox(
        QMessageBox.Icon.Information,
        translate("Language", "Language"),
        text.format(language=name),
        QMessageBox.StandardButton.Ok,
        parent if isinstance(parent, QWidget) else None,
    )
    box.setObjectName("languageNextStart")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    # open(), not exec(): a nested event loop would stall the asyncio loop (PITFALLS.md).
    box.open()
    return box
