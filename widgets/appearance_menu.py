"""The window's actions for theme, zoom and the usual shortcuts, added to its menus.

Built here so `MainWindow._menus` stays a list of menus: View ▸ Theme (system, light, dark),
View ▸ Zoom in / Zoom out / Actual size with the zoom shown, an Edit menu with Search
conversations (Ctrl+K) and Copy last code block (Ctrl+Shift+C), Settings ▸ Providers on Ctrl+,
and Help ▸ Keyboard shortcuts (Ctrl+/). What the actions do is wired in `widgets.appearance`.
Every shortcut lives on a QAction in a menu, so the menus show it and the cheat sheet
(`widgets.shortcuts_dialog`) can list it from the same place.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

from app.i18n import translate

AddAction = Callable[..., QAction]
THEME_ACTIONS = {"system": "theme-system", "light": "theme-light", "dark": "theme-dark"}


def add_appearance_actions(add: AddAction, view_menu: QMenu) -> None:
    """View ▸ Theme and the zoom actions."""
    view_menu.addSeparator()
    theme_menu = view_menu.addMenu(translate("MainWindow", "&Theme"))
    group = QActionGroup(theme_menu)
    group.setExclusive(True)
    choices = (
        add(theme_menu, "theme-system", translate("MainWindow", "Follow the &system"), None),
        add(theme_menu, "theme-light", translate("MainWindow", "&Light"), None),
        add(theme_menu, "theme-dark", translate("MainWindow", "&Dark"), None),
    )
    for action in choices:
        action.setCheckable(True)
        group.addAction(action)
    view_menu.addSeparator()
    zoom_in = add(view_menu, "zoom-in", translate("MainWindow", "Zoom &in"), "Ctrl+=")
    # Ctrl+= is Ctrl++ without Shift on most keyboards; both zoom in, as in browsers.
    zoom_in.setShortcuts([QKeySequence("Ctrl+="), QKeySequence("Ctrl++")])
    add(view_menu, "zoom-out", translate("MainWindow", "Zoom &out"), "Ctrl+-")
    add(view_menu, "zoom-reset", translate("MainWindow", "&Actual size"), "Ctrl+0")
    # Not a command: shows the zoom in force ("Zoom: 110 %"), kept up to date.
    add(view_menu, "zoom-level", "", None).setEnabled(False)


def add_shortcut_actions(
    add: AddAction, bar: QMenuBar, view_menu: QMenu, actions: dict[str, QAction]
) -> None:
    """An Edit menu before View, Ctrl+, on Settings ▸ Providers, and a Help menu."""
    edit_menu = QMenu(translate("MainWindow", "&Edit"), bar)
    bar.insertMenu(view_menu.menuAction(), edit_menu)
    add(edit_menu, "search", translate("MainWindow", "&Search conversations"), "Ctrl+K")
    add(edit_menu, "copy-code", translate("MainWindow", "Copy last &code block"), "Ctrl+Shift+C")
    if "providers" in actions:
        actions["providers"].setShortcut(QKeySequence("Ctrl+,"))
    help_menu = bar.addMenu(translate("MainWindow", "&Help"))
    add(help_menu, "shortcuts", translate("MainWindow", "&Keyboard shortcuts"), "Ctrl+/")
