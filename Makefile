# Model Card Commons: `make run` serves the site with demo cards; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
RUN_ENV := DEBUG=1 DEMO_MODE=1
PORT ?= 8000

.PHONY: run test lint migrations-check install install-test bench clean reset-demo-password

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

run: install
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py load_demo_cards --demo-users
	@# The server and a task worker (it sends the mail), stopped together by Ctrl-C.
	$(RUN_ENV) $(PY) -m config.devserver 127.0.0.1:$(PORT)

# The demo moderator keeps one password across runs (in .demo-password); this makes a new one.
reset-demo-password: install
	$(RUN_ENV) $(PY) manage.py load_demo_cards --demo-users --new-password

# Browser journeys run when /usr/bin/chromium exists; otherwise -rs prints why they were skipped.
test: install-test
	$(BIN)/pytest -rs $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

migrations-check: install-test
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run

# Seeds a throwaway database, serves it with gunicorn and loads it with wrk (apt-get install -y wrk).
bench: install
	$(PY) -m bench.run
	$(PY) -m bench.worst_case

clean:
	rm -rf $(VENV) staticfiles db.sqlite3
