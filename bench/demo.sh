#!/usr/bin/env bash
# Start the emulator on a free loopback port, run a real `claudecli ask` against it, stop it.
set -euo pipefail
url_file=$(mktemp)
claudecli emulator serve --port 0 >"$url_file" &
pid=$!
trap 'kill "$pid" 2>/dev/null; rm -f "$url_file"' EXIT
for _ in $(seq 100); do [ -s "$url_file" ] && break; sleep 0.05; done
url=$(head -n 1 "$url_file")
echo "emulator listening at $url" >&2
export ANTHROPIC_BASE_URL="$url" ANTHROPIC_API_KEY="sk-emulator-demo"
echo '$ printf "pipes are great\n" | claudecli ask --usage "Summarise stdin in one line"' >&2
printf 'pipes are great\n' | claudecli ask --usage "Summarise stdin in one line"
