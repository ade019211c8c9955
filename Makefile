# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
STAMP := $(VENV)/.installed-stamp
CATALOGS := $(wildcard translations/*/LC_MESSAGES/messages.po)
COMPILED := $(CATALOGS:.po=.mo)

.PHONY: run test test-pg install migrate lint format bench translations-extract clean vendor

run: install $(COMPILED)
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty
	$(FLASK) ensure-admin
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install $(COMPILED)
	$(PY) -m pytest

# The same suite on PostgreSQL: a throw-away cluster (tests/pg_cluster.py), or the server
# named by BANTIN_TEST_PG_URL.
test-pg: install $(COMPILED)
	BANTIN_TEST_ENGINE=postgresql $(PY) -m pytest

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

%.mo: %.po $(STAMP)
	$(VENV)/bin/pybabel compile -i $< -o $@

migrate: install
	$(FLASK) db upgrade

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: install $(COMPILED)
	$(PY) bench/run.py

translations-extract: install
	$(VENV)/bin/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) *.egg-info

# Rebuilds the committed TipTap bundle (static/vendor/tiptap/) from the pinned package.json and
# package-lock.json, and copies SortableJS (the menu builder's drag and drop) with its
# licence. Needs node and npm; `make run` and `make test` never do.
vendor:
	npm ci --no-audit --no-fund
	node vendor-src/tiptap/build.mjs
	@wc -c static/vendor/tiptap/tiptap.min.js
	@gzip -9c static/vendor/tiptap/tiptap.min.js | wc -c | sed 's/$$/ bytes gzipped/'
	mkdir -p static/vendor/sortablejs
	cp node_modules/sortablejs/Sortable.min.js node_modules/sortablejs/LICENSE static/vendor/sortablejs/
