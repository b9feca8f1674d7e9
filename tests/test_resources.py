"""Run-time files are found through app/resources.py, and the wheel's package list is complete.

The installed wheel itself is tested in test_install.py; these checks are the fast half: every
module takes its files from one place, and a package added to the tree is not left out of the
wheel.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from app.resources import PACKAGE, asset, assets_root, icon_svg

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("app", "widgets", "sandbox", "easel")


def test_the_checkout_reads_its_own_assets():
    assert assets_root() == ROOT / "assets"
    assert asset("style.qss").is_file()
    assert asset("vendor", "manifest.json").is_file()


def test_every_module_takes_its_files_from_resources():
    from app.documents import ARTIFACT_ASSETS
    from app.transcript_export import TRANSCRIPT_CSS
    from app.vendor import vendor_root
    from widgets.theme import DARK_STYLE, STYLE
    from widgets.transcript_page import PAGE

    for path in (ARTIFACT_ASSETS, TRANSCRIPT_CSS, vendor_root(), STYLE, DARK_STYLE, PAGE):
        assert path.exists(), path
        assert path.is_relative_to(assets_root())


def test_no_module_finds_files_by_its_own_location():
    """`__file__` arithmetic breaks in a wheel: only app/resources.py may look at its place."""
    offenders = []
    for package in SOURCES:
        for module in (ROOT / package).rglob("*.py"):
            if module == ROOT / "app" / "resources.py":
                continue
            if re.search(r"__file__|[\"']assets[\"']", module.read_text(encoding="utf-8")):
                offenders.append(str(module.relative_to(ROOT)))
    assert offenders == []


def _configured() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]


def test_every_package_on_disk_goes_into_the_wheel():
    packages = set(_configured()["packages"])
    for source in SOURCES:
        for init in (ROOT / source).rglob("__init__.py"):
            name = ".".join(init.parent.relative_to(ROOT).parts)
            assert name in packages, f"add {name} to [tool.setuptools] packages in pyproject.toml"


def test_every_asset_folder_goes_into_the_wheel():
    configured = _configured()
    assert configured["package-dir"] == {PACKAGE: "assets"}
    assert configured["package-data"] == {PACKAGE: ["**/*"]}
    packages = set(configured["packages"])
    for folder in (ROOT / "assets").iterdir():
        if folder.is_dir() and folder.name.isidentifier() and folder.name != "__pycache__":
            assert f"{PACKAGE}.{folder.name}" in packages, f"add {PACKAGE}.{folder.name}"


def test_the_icon_is_a_drawable_svg(qapp):
    from PySide6.QtGui import QIcon
    from PySide6.QtSvg import QSvgRenderer

    assert QSvgRenderer(str(icon_svg())).isValid()
    assert not QIcon(str(icon_svg())).pixmap(64, 64).isNull()
