"""Real single-file apps wrapped in each syntax come back byte for byte, under any chunking."""

import random

import pytest

from app.artifact_parser import ArtifactParser
from app.artifact_segments import merge_segments
from app.artifacts import extract_artifacts, parse_reply
from tests.conftest import corpus_path

WRAPPERS = {
    "artifact": 'Here is the app.\n\n<artifact identifier="app" type="text/html" title="App">\n{page}\n</artifact>\n\nEnjoy.',
    "antArtifact": "Sure.\n<antArtifact identifier='app' type='text/html' title='App'>\n{page}\n</antArtifact>\nDone.",
    "directive": 'Here: :::artifact{{identifier="app" type="text/html" title="App"}}\n```html\n{page}\n```\n:::\n\nDone.',
    "fence": "Here is the page:\n\n```html\n{page}\n```\n\nOpen it in a browser.",
}


def pages() -> list:
    return sorted(corpus_path("pages").glob("*.html"))


@pytest.mark.parametrize("syntax", sorted(WRAPPERS))
def test_corpus_pages_round_trip(syntax):
    rng = random.Random(syntax)
    for path in pages():
        page = path.read_bytes().decode("utf-8")
        reply = WRAPPERS[syntax].format(page=page)
        found = extract_artifacts(reply)
        assert len(found) == 1, path.name
        assert found[0].content == page, path.name
        assert found[0].complete and found[0].type == "text/html"
        reference = parse_reply(reply)
        for _ in range(3):
            parser, out, i = ArtifactParser(), [], 0
            while i < len(reply):
                size = rng.choice([1, 2, 3, 7, 64, 500, 4096])
                out += parser.feed(reply[i : i + size])
                i += size
            assert merge_segments(out + parser.close()) == reference, path.name
