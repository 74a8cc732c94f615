# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: install run test lint check clean lock lock-check upgrade

# Exactly the versions (and hashes) of the lock files: requirements/main.txt is what the
# Docker image installs, requirements/dev.txt adds the tools for tests and linting.
# pyproject.toml keeps the compatible ranges the lock files are compiled from.
install: $(VENV)/.installed

$(VENV)/.installed: requirements/dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/dev.txt
	$(BIN)/pip check
	@# Django silently prefers psycopg 3 when both drivers are installed.
	@if $(BIN)/python -c "import psycopg" 2>/dev/null; then \
		echo "psycopg 3 is installed beside psycopg2: remove it (rm -rf $(VENV))"; exit 1; fi
	touch $@

# The lock files from pyproject.toml, keeping every pinned version that still fits.
lock: install
	LOCK_UV=$(BIN)/uv sh requirements/compile.sh requirements

# Fails when the lock files no longer match pyproject.toml (CI runs it).
lock-check: install
	LOCK_UV=$(BIN)/uv sh requirements/compile.sh --check

# The newest versions pyproject.toml allows: commit the result once `make test` passes.
upgrade: install
	LOCK_UV=$(BIN)/uv sh requirements/compile.sh requirements --upgrade

# Serves the portal on http://$(HOST):$(PORT) with the demo data. With REDIS_URL set, a
# Celery worker and beat run beside it; without, tasks run in-process (eager).
run: install
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	@if [ -n "$$REDIS_URL" ]; then \
		trap 'kill 0' EXIT INT TERM; \
		$(BIN)/celery -A portal worker --loglevel=INFO & \
		$(BIN)/celery -A portal beat --loglevel=INFO & \
		$(MANAGE) runserver $(HOST):$(PORT); \
	else \
		$(MANAGE) runserver $(HOST):$(PORT); \
	fi

# The whole suite against real PostgreSQL (DATABASE_URL, or the embedded one) and a real
# Redis for the Celery worker tests (REDIS_URL, by default the local one, database 15).
test: install
	REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/15}" $(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: install
	$(MANAGE) makemigrations --check --dry-run
	$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null
	DJANGO_SETTINGS_MODULE=portal.settings.production \
		SECRET_KEY="$$(head -c 48 /dev/urandom | base64)" ALLOWED_HOSTS=portal.example \
		REDIS_URL="$${REDIS_URL:-redis://127.0.0.1:6379/0}" \
		DATABASE_URL="$${DATABASE_URL:-postgres://localhost/portal}" \
		$(MANAGE) check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) var/static .pytest_cache .ruff_cache
