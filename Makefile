# The two commands: `make run` (embedded demo, no services) and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
VAR := var
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/homeward
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15
# `make run PORT=8001` serves on another port; emails link to it unless SITE_URL is set.
PORT ?= 8000
SITE_URL ?= http://127.0.0.1:$(PORT)
# Embedded default: SQLite and kombu's filesystem broker under var/, DEBUG on.
RUN_ENV := DEBUG=1 SITE_URL="$(SITE_URL)" PATH="$(CURDIR)/$(BIN):$$PATH"

.PHONY: run test install install-dev lint format migrations-check clean messages

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(PY) requirements.txt requirements-beat.txt
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-beat.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

$(VAR)/field-encryption.key: | $(VENV)/.installed
	$(RUN_ENV) $(PY) manage.py generate_field_key --write $@

run: $(VENV)/.installed $(VAR)/field-encryption.key
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo --if-empty
	@echo
	@echo "Homeward is starting at http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	@echo
	$(RUN_ENV) $(BIN)/honcho --procfile Procfile.dev start --port $(PORT)

test: $(VENV)/.installed-dev
	@$(PY) tests/services.py "$(TEST_DATABASE_URL)" "$(TEST_REDIS_URL)"
	TEST_DATABASE_URL="$(TEST_DATABASE_URL)" TEST_REDIS_URL="$(TEST_REDIS_URL)" \
		$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

# The migrations match the models (DEBUG: the development settings, no SECRET_KEY needed).
migrations-check: $(VENV)/.installed
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VAR)

# Refresh the Ukrainian and French catalogues from the code and templates, then compile
# them (the .mo files are committed). Needs GNU gettext: apt-get install gettext.
messages: $(VENV)/.installed
	$(RUN_ENV) $(PY) manage.py makemessages -l uk -l fr --ignore=.venv --ignore=static --ignore=var --ignore=tests --no-obsolete
	$(RUN_ENV) $(PY) manage.py compilemessages --ignore=.venv
