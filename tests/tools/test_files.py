"""Tools files: YAML and JSON, every error one line with file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from claudecli.errors import ConfigError
from claudecli.tools.files import read_tools_file

GOOD = """\
builtin: read_file, list_dir
allow: [run_command(git status)]
deny: [write_file]
tools:
  - name: word_count
    description: Count words.
    input_schema: {type: object, properties: {path: {type: string}}, required: [path]}
    command: [wc, -w, "{path}"]
    timeout: 10
    permission: allow
  - name: sorter
    command: [jq, -S, .]
    stdin: json
  - name: files
    mcp: [python, server.py]
"""


def write(tmp_path: Path, text: str, name: str = "tools.yaml") -> str:
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def test_a_full_yaml_file(tmp_path: Path) -> None:
    loaded = read_tools_file(write(tmp_path, GOOD))
    assert loaded.builtins == ("read_file", "list_dir")
    assert loaded.allow == ("run_command(git status)",) and loaded.deny == ("write_file",)
    count, sorter = loaded.tools
    assert count.command == ("wc", "-w", "{path}") and count.timeout == 10.0
    assert count.permission == "allow" and not count.stdin_json
    assert sorter.stdin_json and sorter.input_schema == {"type": "object", "properties": {}}
    [server] = loaded.mcp_servers
    assert server.name == "files" and server.argv == ("python", "server.py")


def test_json_files_and_a_top_level_list(tmp_path: Path) -> None:
    text = '[{"name": "hi", "command": ["echo", "hi"]}]'
    [tool] = read_tools_file(write(tmp_path, text, "t.json")).tools
    assert tool.name == "hi"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "tools:\n  - name: x\n    command: echo\n    timeout: -1\n",
            "t.yaml:4:14: tools[0].timeout",
        ),
        ("tools:\n  - name: bad name\n    command: [x]\n", "t.yaml:2:11: tools[0].name: required"),
        ("tools:\n  - name: x\n", "t.yaml:2:5: tools[0]: tool 'x': needs `command"),
        (
            "tools:\n  - name: x\n    command: [x]\n    colour: red\n",
            "t.yaml:4:13: tools[0].colour",
        ),
        ("builtin: [rm_rf]\n", "t.yaml:1:11: builtin[0]: 'rm_rf': not a built-in tool"),
        ("allow: ['run_command(git']\n", "t.yaml:1:9: allow[0]: 'run_command(git'"),
        (
            "tools:\n  - name: x\n    command: [x]\n    input_schema: {type: object, "
            "properties: 3}\n",
            "t.yaml:4:19: tools[0].input_schema: not a valid JSON Schema",
        ),
        ("tools: [\n", "t.yaml:2:1: "),
        ("a: !!python/object/apply:os.system [ls]\n", "t.yaml:1:4: !!python/object/apply"),
    ],
)
def test_errors_name_the_place(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        read_tools_file(write(tmp_path, text, "t.yaml"))
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


def test_json_syntax_errors_have_line_and_column(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^t\.json:2:1: Expecting value"):
        read_tools_file(write(tmp_path, '{"tools":\n]', "t.json"))


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"^--tools .*nope\.yaml: No such file or directory$"):
        read_tools_file(str(tmp_path / "nope.yaml"))
