# Two entry points for a new machine: `make demo` and `make test`.
# Each creates .venv with the standard library's venv module and installs what it needs:
# `make demo` the package and its runtime dependencies only; everything else the package plus
# the `dev` dependency group of pyproject.toml (PEP 735; `pip install --group` needs
# pip >= 25.1, so pip is upgraded first). requirements-dev.lock constrains both installs.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: demo host test fleet lint docs docs-images bench bench-quick reliability clean lock

$(BIN)/.installed: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -c requirements-dev.lock --group dev -e .
	touch $@

$(BIN)/.runtime: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -c requirements-dev.lock -e .
	touch $@

demo: $(BIN)/.runtime
	$(BIN)/python -m instantly_columns demo

$(BIN)/.examples: pyproject.toml requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25.1"
	$(BIN)/python -m pip install --quiet -c requirements-dev.lock -e ".[examples]"
	touch $@

# The reference host web app (examples/ops_table) on http://127.0.0.1:8000: a seeded fake
# Instantly workspace and a SQLite file, or your workspace when INSTANTLY_API_KEY is set.
host: $(BIN)/.examples
	$(BIN)/python -m examples.ops_table

# With PostgreSQL's binaries on the machine the PostgreSQL tests run too, on a throwaway
# cluster (or on INSTANTLY_COLUMNS_TEST_DSN when it is set, as .ci/run does); likewise Redis
# (redis-server, or INSTANTLY_COLUMNS_TEST_REDIS) for the Celery fleet tests. Without them a
# line says so and those tests skip.
test: $(BIN)/.installed
	@bash scripts/with-postgres.sh bash scripts/with-redis.sh $(BIN)/python -m pytest

# The Celery fleet tests at four times the CI size, then the fleet benchmark (1, 2 and 3
# workers against the rate-limit floor); needs PostgreSQL and Redis as `make test` does.
fleet: $(BIN)/.installed
	@FLEET_SCALE=4 bash scripts/with-postgres.sh bash scripts/with-redis.sh \
	  $(BIN)/python -m pytest tests/fleet
	@bash scripts/with-postgres.sh bash scripts/with-redis.sh \
	  $(BIN)/python -m benchmarks --only fleet

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

docs: $(BIN)/.installed
	$(BIN)/mkdocs build --strict

# The chart images of docs/notebooks.md, from the page's own example, and the screenshots of
# docs/host.md, from the reference host's browser test.
docs-images: $(BIN)/.installed
	$(BIN)/python scripts/docs-images.py
	INSTANTLY_COLUMNS_SCREENSHOTS=1 $(BIN)/python -m pytest -q tests/test_reference_host.py

bench: $(BIN)/.installed
	$(BIN)/python -m benchmarks

# The reliability suite at full size (SIGKILL trials, faults, concurrency, fuzzing, webhooks,
# the canary key, chaos); writes docs/reliability.md. PostgreSQL rows need
# INSTANTLY_COLUMNS_TEST_DSN. `make test` runs the same cases small.
reliability: $(BIN)/.installed
	$(BIN)/python -m tests.reliability --full

bench-quick: $(BIN)/.installed
	$(BIN)/python -m benchmarks --quick

clean:
	rm -rf $(VENV) site build dist

lock: $(BIN)/.installed
	{ echo "# Constraints for reproducible dev installs: pip install -c requirements-dev.lock --group dev -e ."; \
	  echo "# Regenerate with: make lock"; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -v '^instantly-columns'; } > requirements-dev.lock
