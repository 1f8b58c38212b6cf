"""File tools confined to the root: `..`, absolute paths and symlinks out of it are refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from claudecli.tools.builtin import Root, ToolFailure, list_dir, read_file, search_files, write_file


@pytest.fixture
def root(tmp_path: Path) -> Root:
    inside = tmp_path / "root"
    (inside / "sub").mkdir(parents=True)
    (inside / "a.txt").write_text("one\ntwo\nthree\n")
    (inside / "sub" / "b.py").write_text("import os\nprint('two')\n")
    (tmp_path / "secret.txt").write_text("TOP SECRET")
    os.symlink(tmp_path / "secret.txt", inside / "link.txt")
    os.symlink(tmp_path, inside / "up")
    os.symlink("a.txt", inside / "alias.txt")
    return Root.of(inside)


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("../secret.txt", "outside the root"),
        ("sub/../../secret.txt", "outside the root"),
        ("link.txt", "outside the root"),
        ("up/secret.txt", "outside the root"),
        ("/etc/passwd", "absolute paths are refused"),
        ("~/x", "absolute paths are refused"),
        ("", "a relative path inside the root is required"),
        ("a\x00b", "a relative path inside the root is required"),
    ],
)
def test_escapes_are_refused(root: Root, path: str, reason: str) -> None:
    for tool in (read_file, list_dir, write_file):
        with pytest.raises(ToolFailure, match=reason):
            tool(root, {"path": path, "content": "x"}, 1000)
    assert (root.path.parent / "secret.txt").read_text() == "TOP SECRET"


def test_reads_lists_and_searches_inside(root: Root) -> None:
    assert read_file(root, {"path": "a.txt"}, 1000) == "one\ntwo\nthree\n"
    assert read_file(root, {"path": "a.txt", "offset": 2, "limit": 1}, 1000) == "two\n"
    assert read_file(root, {"path": "alias.txt"}, 1000) == "one\ntwo\nthree\n"  # link inside
    assert list_dir(root, {}, 1000).splitlines() == [
        "a.txt", "alias.txt", "link.txt", "sub/", "up",
    ]  # fmt: skip
    found = search_files(root, {"pattern": "two"}, 1000).splitlines()
    assert found == ["a.txt:2: two", "sub/b.py:2: print('two')"]


def test_write_creates_inside_and_never_follows_a_link(root: Root) -> None:
    assert write_file(root, {"path": "sub/new.txt", "content": "hi"}, 1000).startswith("wrote 2")
    assert (root.path / "sub" / "new.txt").read_text() == "hi"
    with pytest.raises(ToolFailure):
        write_file(root, {"path": "nodir/x.txt", "content": "hi"}, 1000)


def test_not_a_regular_file(root: Root) -> None:
    with pytest.raises(ToolFailure, match=r"not a regular file"):
        read_file(root, {"path": "sub"}, 1000)
