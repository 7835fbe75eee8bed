# Two commands do everything on a machine with only Python 3.11+:
#   make demo   install, build the demo county in the embedded database, serve it
#   make test   install and run the whole test suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed
CSS := build/frontend/beststart.css

.PHONY: install demo test test-postgres lint typecheck migrations-check check clean

$(INSTALLED): pyproject.toml requirements/constraints.txt package.json package-lock.json
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt -e '.[dev,assets]'
	$(PY) scripts/npm.py ci --no-audit --no-fund --loglevel=error
	@touch $(INSTALLED)

$(CSS): $(INSTALLED) frontend/beststart.scss
	@mkdir -p build/frontend
	$(PY) scripts/npm.py run --silent build

install: $(INSTALLED) $(CSS)

demo: install
	$(VENV)/bin/beststart demo

test: install
	$(VENV)/bin/pytest

# The same suite on PostgreSQL, in a throwaway database (BESTSTART_DATABASE_URL names the server).
# The browser tests are left out: they drive their own server on its own SQLite file.
test-postgres: install
	BESTSTART_DATABASE_URL=$${BESTSTART_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/beststart} $(VENV)/bin/pytest --create-db -m "not browser"

lint: install
	$(VENV)/bin/ruff check .

typecheck: install
	$(VENV)/bin/mypy src

migrations-check: install
	$(VENV)/bin/beststart makemigrations --check --dry-run

check: lint typecheck migrations-check test

clean:
	rm -rf $(VENV) node_modules build var
