"""``nbagent.core.jsonpatch``: RFC 6902's operations (its appendix's examples), its errors
as one-line ``PatchError``s, and its bounds on hostile patches."""

from __future__ import annotations

from typing import Any

import pytest

from nbagent.core.jsonpatch import MAX_DEPTH, MAX_OPS, PatchError, apply_patch


@pytest.mark.parametrize(
    ("doc", "patch", "want"),
    [
        (
            {"foo": "bar"},
            [{"op": "add", "path": "/baz", "value": "qux"}],
            {"foo": "bar", "baz": "qux"},
        ),
        (
            {"foo": ["bar", "baz"]},
            [{"op": "add", "path": "/foo/1", "value": "qux"}],
            {"foo": ["bar", "qux", "baz"]},
        ),
        ({"baz": "qux", "foo": "bar"}, [{"op": "remove", "path": "/baz"}], {"foo": "bar"}),
        (
            {"foo": ["bar", "qux", "baz"]},
            [{"op": "remove", "path": "/foo/1"}],
            {"foo": ["bar", "baz"]},
        ),
        (
            {"baz": "qux", "foo": "bar"},
            [{"op": "replace", "path": "/baz", "value": "boo"}],
            {"baz": "boo", "foo": "bar"},
        ),
        (
            {"foo": {"bar": "baz", "waldo": "fred"}, "qux": {"corge": "grault"}},
            [{"op": "move", "from": "/foo/waldo", "path": "/qux/thud"}],
            {"foo": {"bar": "baz"}, "qux": {"corge": "grault", "thud": "fred"}},
        ),
        (
            {"foo": ["all", "grass", "cows", "eat"]},
            [{"op": "move", "from": "/foo/1", "path": "/foo/3"}],
            {"foo": ["all", "cows", "eat", "grass"]},
        ),
        (
            {"baz": "qux", "foo": ["a", 2, "c"]},
            [
                {"op": "test", "path": "/baz", "value": "qux"},
                {"op": "test", "path": "/foo/1", "value": 2},
            ],
            {"baz": "qux", "foo": ["a", 2, "c"]},
        ),
        (
            {"foo": ["bar"]},
            [{"op": "add", "path": "/foo/-", "value": ["abc", "def"]}],
            {"foo": ["bar", ["abc", "def"]]},
        ),
        ({"/": 1, "m~n": 2}, [{"op": "copy", "from": "/~1", "path": "/m~0n"}], {"/": 1, "m~n": 1}),
        ({"a": 1}, [{"op": "replace", "path": "", "value": [1]}], [1]),
    ],
)
def test_rfc_6902_examples(doc: Any, patch: list[Any], want: Any) -> None:
    before = repr(doc)
    assert apply_patch(doc, patch) == want
    assert repr(doc) == before  # the document given is left as it was


@pytest.mark.parametrize(
    ("doc", "patch", "error"),
    [
        ({"foo": "bar"}, [{"op": "add", "path": "/baz/bat", "value": "qux"}], "no member 'baz'"),
        ({"baz": "qux"}, [{"op": "test", "path": "/baz", "value": "bar"}], "failed"),
        ({"foo": [1]}, [{"op": "add", "path": "/foo/01", "value": 0}], "bad array index"),
        ({"foo": [1]}, [{"op": "replace", "path": "/foo/1", "value": 0}], "out of range"),
        ({}, [{"op": "remove", "path": "/x"}], "no member 'x' to remove"),
        ({}, [{"op": "add", "path": "x", "value": 1}], "bad JSON pointer"),
        ({}, [{"op": "add", "path": "/x"}], "has no value"),
        ({}, [{"op": "nope", "path": "/x"}], "unknown op 'nope'"),
        ({}, ["add"], "not an object"),
        ({}, {"op": "add"}, "a list of operations"),
        ({"a": {"b": 1}}, [{"op": "move", "from": "/a", "path": "/a/b/c"}], "into itself"),
        ({"a": 1}, [{"op": "add", "path": "/a/b", "value": 1}], "cannot add to a int"),
    ],
)
def test_bad_patches_are_one_line_errors(doc: Any, patch: Any, error: str) -> None:
    with pytest.raises(PatchError, match=error) as info:
        apply_patch(doc, patch)
    assert "\n" not in str(info.value)


def test_hostile_patches_are_bounded() -> None:
    ops = [{"op": "add", "path": "/x", "value": 1}] * (MAX_OPS + 1)
    with pytest.raises(PatchError, match="at most"):
        apply_patch({}, ops)
    deep = "/a" * 1_000_000  # a pointer of a million tokens: refused on its length, at once
    with pytest.raises(PatchError, match=f"deeper than {MAX_DEPTH}"):
        apply_patch({}, [{"op": "add", "path": deep, "value": 1}])
    assert apply_patch({}, [{"op": "add", "path": "/x", "value": 1}] * MAX_OPS) == {"x": 1}
