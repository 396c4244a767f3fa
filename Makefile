# Two commands do everything: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test install lint types unit bench generate docs clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt -e '.[all,dev]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/wecom-contacts demo

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench scripts examples
	$(VENV)/bin/lint-imports

types: $(STAMP)
	$(VENV)/bin/mypy --strict src tests

unit: $(STAMP)
	$(PY) scripts/unasync.py --check
	$(PY) -m pytest -n 2 --dist loadgroup

# pytest exits 5 when it collected no test; make treats any non-zero exit as a failure.
test: lint types unit

generate: $(STAMP)
	$(PY) scripts/unasync.py

# The site (MkDocs Material + the API reference from the docstrings) into site/; offline.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

# Run by hand; each prints its figures beside a baseline measured in the same run.
# bench/soak.py (Redis fleet under injected faults) takes its own --workers/--seconds.
bench: $(STAMP)
	$(PY) bench/client_overhead.py
	$(PY) bench/callback_decrypt.py
	$(PY) bench/import_paths.py
	$(PY) bench/plan_scaling.py
	$(PY) bench/read_paths.py

clean:
	rm -rf $(VENV) build site *.egg-info src/*.egg-info
