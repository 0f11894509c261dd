# Égide — `make run` serves the embedded default (SQLite + IMT demo data) on http://127.0.0.1:8000,
# `make test` runs the whole suite. Both set up what they need on a fresh Debian with Python 3.11.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck check-migrations check-catalogs messages bench browser-deps clean

$(VENV)/.runtime: requirements.txt
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv && $(PYTHON) -m venv $(VENV); \
	  else echo "Python's venv module is missing: install the python3-venv package." >&2; exit 1; fi; }
	@# WeasyPrint (the communication kit's PDFs) needs Pango and a font from Debian.
	@if ! ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core >/dev/null; \
	  else echo "NOTE: Pango is missing (Debian: libpango-1.0-0 libpangoft2-1.0-0): the communication kit's PDFs will not work."; fi; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

$(VENV)/.dev: requirements-dev.txt $(VENV)/.runtime
	$(PY) -m pip install --quiet -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime
	$(PY) manage.py migrate --no-input
	$(PY) manage.py egide_demo
	$(PY) manage.py cases_demo
	@echo ""
	@echo "Égide is starting on http://$(HOST):$(PORT)/  (French: /fr/, English: /en/; staff sign-in: /fr/staff/login/)"
	@echo "Sent e-mails (password links) are written to var/mail/."
	$(PY) manage.py runserver --noreload $(HOST):$(PORT)

# Browser tests need Debian's Chromium: installed here when missing and run as root, else skipped (with a message).
browser-deps:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; \
	  else echo "NOTE: /usr/bin/chromium is missing and cannot be installed (not root): browser tests will be SKIPPED."; fi; \
	fi

test: $(VENV)/.dev browser-deps
	$(PY) -m pytest -q $(PYTEST_ARGS); status=$$?; if [ $$status -eq 5 ]; then echo "No tests were collected."; exit 0; fi; exit $$status

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

typecheck: $(VENV)/.dev
	$(VENV)/bin/mypy egide tests bench

check-migrations: $(VENV)/.runtime
	$(PY) manage.py makemigrations --check --dry-run

# Catalogs: regenerate the French .po file from the code (English is the source language), then compile it (needs gettext).
messages: $(VENV)/.runtime
	$(PY) manage.py makemessages --locale fr --no-obsolete --no-location --ignore '.venv/*' --ignore 'var/*'
	$(PY) manage.py compilemessages --ignore '.venv/*'

# Fails when a catalog is not current with the code or its compiled .mo is stale.
check-catalogs: $(VENV)/.runtime
	@bash .ci/check-catalogs

bench: $(VENV)/.dev
	$(PY) bench/run.py
	$(PY) bench/reporting.py
	$(PY) bench/help.py
	$(PY) bench/retention.py
	$(PY) bench/cases.py

clean:
	rm -rf $(VENV) var
