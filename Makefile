# Two commands from a fresh clone: `make run` and `make test`. `make install` is the set-up both use.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
VENDOR := app/static/vendor/utrecht
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test test-sqlite test-postgres lint translations browser pdf-libs redis clean

install: $(VENV)/.installed $(VENDOR)/.installed translations pdf-libs redis

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# NL Design System CSS comes from npm; it is copied here at set-up and never committed.
# Only the components the templates use go into the bundle (150 KB instead of 400 KB on a phone);
# tests/test_assets.py fails when a template uses a component that is missing here.
UTRECHT_COMPONENTS := alert body button button-link checkbox form-field form-field-description \
	form-field-error-message form-fieldset form-label heading-1 heading-2 heading-3 link link-button \
	paragraph pre-heading radio-button select skip-link table textarea textbox unordered-list

$(VENDOR)/.installed: node_modules/.installed Makefile
	mkdir -p $(VENDOR)
	cp node_modules/@utrecht/design-tokens/dist/theme.css $(VENDOR)/theme.css
	cat $(foreach c,$(UTRECHT_COMPONENTS),node_modules/@utrecht/$(c)-css/dist/index.css) > $(VENDOR)/components.css
	touch $@

translations: $(VENV)/.installed
	$(FLASK) translate compile >/dev/null

run: install
	$(FLASK) db upgrade
	$(FLASK) text rerender
	$(FLASK) seed demo --if-empty
	$(FLASK) run --host $(HOST) --port $(PORT)

# WeasyPrint (covenant PDFs) needs Pango; HarfBuzz-Subset makes the PDFs small by embedding only the
# letters used. Installed from Debian's packages when we may (root, apt) and they are missing.
PDF_LIBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core
pdf-libs:
	@if ! ldconfig -p | grep -q libharfbuzz-subset || ! ldconfig -p | grep -q libpangoft2; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's $(PDF_LIBS) for the PDFs"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(PDF_LIBS) >/dev/null) \
	      || echo "could not install $(PDF_LIBS): PDFs may fail or be larger"; \
	  else echo "PDFs need $(PDF_LIBS) (Debian packages)"; fi; \
	fi

# The job tests start a throwaway Redis server of their own (tests/redis_server.py) from Debian's
# redis-server; installed when we may (root, apt) and it is missing. `make run` never needs it.
redis:
	@if [ ! -x /usr/bin/redis-server ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "installing Debian's redis-server for the job tests"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null) \
	      || echo "could not install redis-server: the job tests will be skipped (and fail in CI)"; \
	  else echo "the job tests need redis-server (Debian: apt-get install redis-server); without it they are skipped"; fi; \
	fi

# Browser tests need Debian's Chromium; install it when we may (root, apt) and it is missing.
browser:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "could not install chromium: browser tests will fail"; \
	fi

# The SQLite and PostgreSQL passes run side by side (two cores), each printed whole when it ends.
test: install browser lint
	$(MAKE) --no-print-directory -j2 --output-sync=target test-sqlite test-postgres

test-sqlite:
	$(PY) -m pytest -q -p no:cacheprovider

# The suite again on a throwaway PostgreSQL cluster that tests/pg_cluster.py starts and removes.
# The browser tests (accessibility, phones, no JavaScript) run once, above: what they check does not
# depend on the database, and running them twice would cost about five of the fifteen minutes.
test-postgres:
	$(PY) tests/pg_cluster.py -- $(PY) -m pytest -q -p no:cacheprovider --ignore=tests/browser

lint:
	$(VENV)/bin/ruff check app tests bench config.py wsgi.py
	$(VENV)/bin/ruff format --check app tests bench config.py wsgi.py

clean:
	rm -rf $(VENV) node_modules app/static/vendor
