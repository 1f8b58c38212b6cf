# Two commands for a newcomer on a fresh machine:
#   make demo   - a real `claudecli ask` over loopback HTTP against the bundled emulator (no key, no network)
#   make test   - lint, types, layer rules and the whole test suite
VENV ?= .venv
PYTHON ?= python3
BIN := $(VENV)/bin

.PHONY: venv demo test lint bench completions clean

$(BIN)/.installed: pyproject.toml .ci/constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c .ci/constraints.txt -e '.[test]'
	touch $@

venv: $(BIN)/.installed

demo: venv
	@PATH="$(abspath $(BIN)):$$PATH" bash bench/demo.sh

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The suite starts the real binary ~150 times: let it keep its bytecode (PYTHONDONTWRITEBYTECODE
# would recompile claudecli at every start).
test: lint
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest

bench: venv
	$(BIN)/python bench/run.py

completions: venv
	$(BIN)/python -m tests.completions_gen

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
