# Two commands do everything on a fresh machine:
#   make demo   create .venv, install, run the whole pipeline on the embedded model
#   make test   create .venv, install with test extras, lint, type-check, run the tests
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/interviewer demo

lint: $(STAMP)
	$(BIN)/ruff check src tests graphs bench evals/scripts
	$(BIN)/ruff format --check src tests graphs bench evals/scripts
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/pytest -q

clean:
	rm -rf $(VENV) dist build .pytest_cache .mypy_cache .ruff_cache
