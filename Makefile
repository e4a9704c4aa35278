# Minqing: `make run` serves the demo, `make test` runs the whole suite.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3 python3.13 python3.12 python3.11; do \
	$$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= township

.PHONY: run test setup lint bench clean messages

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Python 3.11 or newer is needed"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
	$(BIN)/minqing setup --scale $(SCALE)

run: setup
	@echo "Minqing at http://$(HOST):$(PORT)/"
	$(BIN)/minqing runserver $(HOST):$(PORT) --noreload

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.installed-test
	$(BIN)/python bench/run.py

messages: $(VENV)/.installed-test
	cd minqing && ../$(BIN)/minqing makemessages -l zh_Hans --no-obsolete --add-location file
	cd minqing && ../$(BIN)/minqing compilemessages -l zh_Hans

clean:
	rm -rf $(VENV) .pytest_cache artifacts
