"""`tools run`: the tool-use loop, with local tools gated by approval (a workflow beside `turn`).

* `files.read_tools_file(path)` — a YAML/JSON tools file -> `ToolsFile` (errors: file:line:col).
* `spec` — `ToolDef` (a command, a built-in or an MCP tool) and the defaults.
* `builtin` — read_file, list_dir, search_files, write_file (confined to a root), run_command.
* `process` — commands without a shell: own process group, timeout, output cap, clean env.
* `rules` — approval: deny > ask > allow, by name and argv prefix; `Policy`.
* `mcp_servers` — stdio MCP servers through the optional `mcp` SDK (imported only there).
* `toolbox.Toolbox` — definitions for the request; checks (schema) and runs one call.
* `loop.ToolLoop` — the loop as an event iterator; `transcript.Transcript` records it.

Like the turn engine it never prints, reads stdin or exits: approval comes through a callback,
notices as events, errors as exceptions (`loop.MaxTurnsReached` carries exit code 9).
Submodules are imported on use: this package's import costs nothing.
"""
