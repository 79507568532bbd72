PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint docs clean

$(STAMP): pyproject.toml setup.py
	@test -d $(VENV) || { echo "make: creating $(VENV) with $(PY) (the first time takes about a minute)"; \
		$(PY) -m venv $(VENV); }
	@echo "make: upgrading pip in $(VENV)"
	@$(BIN)/pip install --quiet --upgrade pip
	@echo "make: installing gitshift (editable) with its test tools into $(VENV): pip install -e '.[test]'"
	@$(BIN)/pip install --quiet -e '.[test]'
	@echo "make: installing the optional helm-python-sdk (the chart-proof tests' helm template where helm is missing)"
	@$(BIN)/pip install --quiet -e '.[helm-test]' || echo "make: helm-python-sdk not installed: \
		the chart-proof tests will skip unless helm is on PATH" >&2
	@touch $(STAMP)
	@echo "make: $(VENV) is ready; gitshift is $(BIN)/gitshift"

demo: $(STAMP)
	$(BIN)/gitshift demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q --cpu-durations=15 tests

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

docs: $(STAMP)
	$(BIN)/python -m gitshift.cli.docs docs

lint: $(STAMP)
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/ruff check src tests
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build dist src/*.egg-info
