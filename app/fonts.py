"""Answer the Google Fonts CSS API offline, from the @fontsource fonts in assets/vendor.

Model pages load fonts with `<link href="https://fonts.googleapis.com/css2?family=Poppins:wght@
400;700&display=swap">` (or the older `css?family=Roboto:400,700italic|Lato`, or an `@import`
of either). `stylesheet(path, query, families)` writes the @font-face rules Google would send,
for the requested families, weights and styles, pointing at the vendored woff2 files by their
jsDelivr URLs (which the sandbox answers from assets/vendor, and which also work online in a
saved page). Each face is split into the latin and latin-ext subsets with Google's
`unicode-range`, so a page that writes only English downloads only the latin file.

A weight the page asks for that is not vendored gets the nearest vendored face, declared under
the requested weight (so `document.fonts.check('900 16px Inter')` holds and the text is as bold
as we can make it, rather than synthesised). Noto Sans/Serif SC, TC, JP, KR and HK are mapped to
the system's Noto CJK fonts with `local()` (tens of MB each, and usually installed). Any other
family gets no rule: the page's own fallback (`sans-serif`, …) applies, and
`missing_families` names it so the sandbox can say so in an `info` line.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs

FONTS_CSS_HOST = "fonts.googleapis.com"
FONTS_FILE_HOST = "fonts.gstatic.com"
CSS_PATHS = ("/css", "/css2")
JSDELIVR = "https://cdn.jsdelivr.net/npm"

# Google's CJK families -> the name of the system's Noto CJK font that has the same glyphs.
CJK_LOCAL = {
    f"{kind} {region}": f"{kind} CJK {region}"
    for kind in ("Noto Sans", "Noto Serif")
    for region in ("SC", "TC", "JP", "KR", "HK")
}
CJK_WEIGHTS = {400: "", 700: " Bold"}  # the weights fonts-noto-cjk installs


@dataclass(frozen=True)
class Face:
    """One vendored woff2 file of a family."""

    url: str
    subset: str
    weight: int
    style: str


@dataclass(frozen=True)
class Family:
    """A vendored family: its faces and the unicode range of each subset."""

    name: str
    faces: tuple[Face, ...]
    unicode_range: Mapping[str, str]

    def nearest(self, weight: int, style: str) -> int | None:
        """The vendored weight closest to `weight` in `style` (None: no face in that style)."""
        weights = {f.weight for f in self.faces if f.style == style}
        if not weights:
            return None
        return min(weights, key=lambda w: (abs(w - weight), -w))


@dataclass(frozen=True)
class Request:
    """One family a CSS API URL asks for: its name and (style, weight) pairs."""

    family: str
    variants: tuple[tuple[str, int], ...]


def families_from_manifest(packages: list[dict]) -> dict[str, Family]:
    """The vendored families of the manifest, by lower-case name."""
    found: dict[str, Family] = {}
    for entry in packages:
        font = entry.get("font")
        if not font:
            continue
        base = f"{JSDELIVR}/{entry['name']}@{entry['version']}"
        faces = tuple(
            Face(f"{base}/{f['file']}", f["subset"], int(f["weight"]), f["style"])
            for f in font["faces"]
        )
        found[font["family"].lower()] = Family(font["family"], faces, font["unicode_range"])
    return found


def is_css_request(host: str, path: str) -> bool:
    """Whether a URL's host and path are the Google Fonts CSS API."""
    return host == FONTS_CSS_HOST and path.rstrip("/") in CSS_PATHS


def parse_request(path: str, query: str) -> list[Request]:
    """The families (with styles and weights) a `/css` or `/css2` query asks for."""
    values = parse_qs(query).get("family", [])
    if path.rstrip("/") == "/css":
        # css v1: family=Roboto:400,700italic|Open+Sans:300i (one parameter, `|`-separated)
        return [_v1(spec) for value in values for spec in value.split("|") if spec.strip()]
    return [_v2(value) for value in values if value.strip()]


def _v1(spec: str) -> Request:
    name, _, variants = spec.partition(":")
    pairs = []
    for token in variants.split(","):
        token = token.strip().lower()
        if not token:
            continue
        italic = token.endswith(("italic", "i"))
        digits = token.removesuffix("italic").removesuffix("i") or "400"
        weight = {"regular": 400, "bold": 700}.get(digits)
        pairs.append(("italic" if italic else "normal", weight or _int(digits, 400)))
    return Request(name.strip(), tuple(pairs) or (("normal", 400),))


def _v2(spec: str) -> Request:
    # css2: Name, Name:wght@400;700, Name:ital,wght@0,400;1,700, Name:wght@100..900
    name, _, axes = spec.partition(":")
    tags, _, tuples = axes.partition("@")
    names = [t.strip() for t in tags.split(",")] if tags else []
    pairs: list[tuple[str, int]] = []
    for item in tuples.split(";") if tuples else []:
        values = dict(zip(names, item.split(","), strict=False))
        style = "italic" if values.get("ital", "0").strip() == "1" else "normal"
        weight = values.get("wght", "400").strip()
        if ".." in weight:
            low, _, high = weight.partition("..")
            lowest, highest = _int(low, 100), _int(high, 900)
            pairs += [(style, w) for w in range(100, 1000, 100) if lowest <= w <= highest]
        else:
            pairs.append((style, _int(weight, 400)))
    if not pairs and "ital" in names and "wght" not in names:
        pairs = [("normal", 400), ("italic", 400)]
    return Request(name.strip(), tuple(dict.fromkeys(pairs)) or (("normal", 400),))


def _int(text: str, default: int) -> int:
    try:
        return int(float(text))
    except ValueError:
        return default


def stylesheet(path: str, query: str, families: Mapping[str, Family]) -> str:
    """The @font-face rules answering a Google Fonts CSS URL (empty for unknown families)."""
    rules = []
    for request in parse_request(path, query):
        family = families.get(request.family.lower())
        for style, weight in request.variants:
            if family is not None:
                rules += _vendored_rules(family, style, weight)
            elif request.family in CJK_LOCAL:
                rules.append(_cjk_rule(request.family, style, weight))
    return "\n".join(dict.fromkeys(rules))


def missing_families(path: str, query: str, families: Mapping[str, Family]) -> list[str]:
    """The requested families that are neither vendored nor mapped to a system font."""
    return [
        r.family
        for r in parse_request(path, query)
        if r.family.lower() not in families and r.family not in CJK_LOCAL
    ]


def _vendored_rules(family: Family, style: str, weight: int) -> list[str]:
    near = family.nearest(weight, style)
    if near is None:
        return []  # no italic vendored: the browser slants the upright face, as with Google
    rules = []
    for face in family.faces:
        if face.weight == near and face.style == style:
            rules.append(
                "@font-face {\n"
                f"  font-family: '{family.name}';\n"
                f"  font-style: {style};\n"
                f"  font-weight: {weight};\n"
                "  font-display: swap;\n"
                f"  src: url({face.url}) format('woff2');\n"
                f"  unicode-range: {family.unicode_range.get(face.subset, 'U+0-10FFFF')};\n"
                "}"
            )
    return rules


def _cjk_rule(name: str, style: str, weight: int) -> str:
    local = CJK_LOCAL[name]
    suffix = CJK_WEIGHTS[700 if weight >= 600 else 400]
    return (
        "@font-face {\n"
        f"  font-family: '{name}';\n"
        f"  font-style: {style};\n"
        f"  font-weight: {weight};\n"
        "  font-display: swap;\n"
        f"  src: local('{local}{suffix}'), local('{local}');\n"
        "}"
    )


def notice_for(host: str, path: str, query: str, families: Mapping[str, Family]) -> str:
    """The `info` line for a Google Fonts request Easel cannot fully answer ("" when it can)."""
    if is_css_request(host, path):
        missing = missing_families(path, query, families)
        if missing:
            names = ", ".join(f"'{name}'" for name in missing)
            return (
                f"Google Fonts {names} not available offline; the page's fallback "
                "(system) font is used instead."
            )
        return ""
    if host in (FONTS_CSS_HOST, FONTS_FILE_HOST):
        return "A Google Fonts file is not available offline; a system font is used instead."
    return ""
