"""Applying find/replace edits: exactly one match each, in order, never a guess."""

import pytest

from app.artifact_segments import EditClosed
from app.artifacts import parse_reply
from app.edits import EditError, apply_edit

GAME = "const SPEED = 100;\nlet score = 0;\nfunction tick() {\n  score += 1;\n}\n"


def test_unique_match_is_replaced():
    assert apply_edit(GAME, [("const SPEED = 100;", "const SPEED = 160;")]) == GAME.replace(
        "100", "160"
    )


def test_no_match_names_the_pair_and_quotes_the_find():
    with pytest.raises(EditError) as info:
        apply_edit(GAME, [("let score = 0;", "let score = 1;"), ("const SPEED = 99;", "x")])
    assert info.value.index == 1
    assert str(info.value) == 'find #2 was not found: "const SPEED = 99;"'


def test_long_find_is_truncated_in_the_message():
    with pytest.raises(EditError) as info:
        apply_edit(GAME, [("x" * 500, "y")])
    assert len(str(info.value)) < 100 and str(info.value).endswith('…"')


def test_several_matches_is_an_error():
    with pytest.raises(EditError) as info:
        apply_edit("a;\na;\na;\n", [("a;", "b;")])
    assert (info.value.index, str(info.value)) == (0, "find #1 matched 3 times")


def test_overlapping_occurrences_count_as_several():
    with pytest.raises(EditError, match="matched 2 times"):
        apply_edit("aaa", [("aa", "b")])


def test_pairs_apply_in_order_on_the_result_of_the_previous():
    pairs = [
        ("let score = 0;", "let score = 0;\nlet lives = 3;"),
        ("let lives = 3;", "let lives = 5;"),
    ]
    assert "let score = 0;\nlet lives = 5;\n" in apply_edit(GAME, pairs)


def test_second_pair_that_became_ambiguous_fails():
    with pytest.raises(EditError) as info:
        apply_edit("one two", [("one", "two"), ("two", "three")])
    assert str(info.value) == "find #2 matched 2 times"


def test_overlapping_edits_see_each_other():
    content = "alpha beta gamma"
    pairs = [("beta gamma", "BETA gamma"), ("alpha BETA", "ALPHA BETA")]
    assert apply_edit(content, pairs) == "ALPHA BETA gamma"


def test_a_find_consumed_by_an_earlier_pair_is_not_found():
    with pytest.raises(EditError, match='find #2 was not found: "beta"'):
        apply_edit("alpha beta", [("alpha beta", "alpha"), ("beta", "b")])


@pytest.mark.parametrize("find", ["", "  \n\t"])
def test_empty_find_is_an_error(find):
    with pytest.raises(EditError) as info:
        apply_edit(GAME, [(find, "x")])
    assert str(info.value) == "find #1 is empty"


def test_no_pairs_changes_nothing():
    assert apply_edit(GAME, []) == GAME


def test_crlf_content_matches_an_lf_find_and_stays_crlf():
    content = GAME.replace("\n", "\r\n")
    result = apply_edit(
        content, [("function tick() {\n  score += 1;\n}", "function tick() {\n  score += 2;\n}")]
    )
    assert result == content.replace("score += 1", "score += 2")
    assert "\n" not in result.replace("\r\n", "")


def test_crlf_match_must_still_be_unique():
    with pytest.raises(EditError, match="matched 2 times"):
        apply_edit("a\r\nb\r\na\r\nb\r\n", [("a\nb", "c")])


def test_trailing_blanks_at_line_ends_may_differ():
    content = "if (x) {   \n  go();\t\n}\n"
    assert (
        apply_edit(content, [("if (x) {\n  go();\n}", "if (y) {\n  stop();\n}")])
        == "if (y) {\n  stop();\n}\n"
    )
    assert apply_edit("a\nb  \n", [("a  \nb\n", "c\n")]) == "c\n"


def test_trailing_blank_tolerance_still_requires_one_match():
    with pytest.raises(EditError, match="matched 2 times"):
        apply_edit("x = 1;  \ny\nx = 1;\t\n", [("x = 1;\n", "x = 2;\n")])


def test_an_exact_unique_match_wins_over_loose_ones():
    assert (
        apply_edit("x = 1;  \ny\nx = 1;\n", [("x = 1;\n", "x = 2;\n")]) == "x = 1;  \ny\nx = 2;\n"
    )


def test_leading_indentation_is_not_ignored():
    with pytest.raises(EditError, match="was not found"):
        apply_edit("  go();\n", [("    go();", "stop();")])
    with pytest.raises(EditError, match="was not found"):
        apply_edit("  go();\n", [("\tgo();", "stop();")])


def test_parsed_edit_applies_to_its_artifact():
    reply = (
        '<artifact-edit identifier="g">\n<find>\nconst SPEED = 100;\n</find>\n'
        "<replace>\nconst SPEED = 160;\n</replace>\n</artifact-edit>"
    )
    edit = parse_reply(reply)[-1]
    assert isinstance(edit, EditClosed) and edit.complete
    assert apply_edit(GAME, edit.pairs).startswith("const SPEED = 160;\n")


def test_edit_error_is_a_value_error():
    assert issubclass(EditError, ValueError)
    assert EditError(2, "find #3 is empty").reason == "find #3 is empty"
