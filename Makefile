# Tandem — the commands a newcomer can guess. `make run` and `make test` are the two that matter.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
UV_VERSION := 0.13.8
export UV_PYTHON_DOWNLOADS := never
# Test processes (pytest-xdist): one per core by default; TEST_WORKERS=0 runs in this process.
TEST_WORKERS ?= auto

.PHONY: install run test test-fast lint format bench migrations-check clean

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# Install exactly what uv.lock says (dev tools included).
$(VENV)/.installed: $(BIN)/uv pyproject.toml uv.lock
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --frozen --python $(BIN)/python
	touch $@

install: $(VENV)/.installed

run: install
	@mkdir -p var
	@$(BIN)/python manage.py check --tag system_libraries --fail-level ERROR
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo
	@echo "  Tandem is starting at http://127.0.0.1:$${TANDEM_PORT:-8000}/  (admin: /admin/, health: /healthz/)"
	@echo "  Web server, Celery worker and Celery beat run together; Ctrl-C stops them all."
	@echo
	TANDEM_PORT=$${TANDEM_PORT:-8000} $(BIN)/honcho -f Procfile.dev start

test: install
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadgroup

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Page timings and query counts, then requests per second under gunicorn (see README).
bench: install
	$(BIN)/python manage.py bench --settings=config.settings.test $(ARGS)
	$(BIN)/python manage.py bench_http --settings=config.settings.test

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run --settings=config.settings.test

clean:
	rm -rf $(VENV) var/static var/cache .pytest_cache
