# Glimpse: `make run` installs and starts the app in local mode; `make test` runs every test.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
WORKERS ?= 2

.PHONY: run test js-sdk bench lint clean check-browser

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Glimpse needs Python 3.11 or newer"'
	@echo "Creating the virtual environment $(VENV) with $(PYTHON)..."
	@$(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): install the venv module (e.g. apt-get install python3-venv)"; exit 1; }
	@$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt requirements-local.txt | $(BIN)/python
	@echo "Installing Glimpse's requirements into $(VENV) (the first time this may take a few minutes)..."
	@$(BIN)/pip install --quiet -r requirements-local.txt
	@touch $@

$(VENV)/.dev: requirements.txt requirements-local.txt requirements-dev.txt $(VENV)/.runtime
	@echo "Installing the test tools into $(VENV) (the first time this may take a few minutes)..."
	@$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

run: $(VENV)/.runtime
	@mkdir -p $${GLIMPSE_DATA_DIR:-instance}
	@# a previous run may have been killed mid-enrolment or mid-forget: remove what it left behind
	-@$(BIN)/flask --app application doctor --repair --grace-minutes 0
	@# faces enrolled by an older face engine are re-embedded from their stored photos (nothing to do: instant)
	@$(BIN)/flask --app application index reembed
	@# load the models once here (the first start builds and caches the label, dlib and float SFace models and
	@# onnxruntime's optimised graphs), so workers only read files; gunicorn.conf.py makes workers load early
	@$(BIN)/flask --app application models prepare
	@echo "Glimpse (local mode) on http://127.0.0.1:$(PORT) — data in $${GLIMPSE_DATA_DIR:-instance/}"
	@# --preload: the master imports the app once and every worker it forks (at start, or after a
	@# crash) skips that import: first answer 0.83 -> 0.48 s from the fork (bench/recycle.py). Models
	@# still load in each worker after the fork (gunicorn.conf.py); code changes need a full restart.
	$(BIN)/gunicorn application:application --bind 127.0.0.1:$(PORT) --workers $(WORKERS) \
		--threads 4 --timeout 120 --preload --access-logfile -

# The browser tests need Chromium: installed here when possible, else one line says how (before any test).
check-browser:
	@scripts/ensure_chromium.sh

test: check-browser $(VENV)/.dev js-sdk
	@$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest

# The AWS SDK for JavaScript v3 that tests/rekognition/test_clients.py drives (pinned by package-lock.json).
js-sdk:
	@if command -v npm >/dev/null 2>&1; then \
		[ -d tests/js/node_modules/@aws-sdk/client-rekognition ] || npm ci --prefix tests/js --no-audit --no-fund; \
	else echo "node/npm not found: the JavaScript SDK test will be skipped"; fi

bench: $(VENV)/.dev
	$(BIN)/pip install --quiet -r bench/requirements.txt
	$(BIN)/python bench/latency.py
	$(BIN)/python bench/scale.py
	$(BIN)/python bench/enrol_throughput.py
	$(BIN)/python bench/cold_start.py
	$(BIN)/python bench/peer.py
	$(BIN)/python bench/calibrate_faces.py
	$(BIN)/python bench/compare_accuracy.py
	$(BIN)/python bench/unknown_clusters.py

lint: $(VENV)/.dev typecheck
	$(BIN)/ruff check webapp tests bench application.py

.PHONY: typecheck
typecheck: $(VENV)/.dev  # mypy over webapp/ (settings in pyproject.toml)
	$(BIN)/mypy

clean:
	rm -rf $(VENV) .pytest_cache

# AWS mode extras (docs/deploy-aws.md): the S3-drop Lambda's zip, and the opt-in live smoke suite,
# which creates and deletes a throwaway stack in your AWS account (skipped unless GLIMPSE_LIVE_AWS=1).
.PHONY: lambda-zip smoke-aws

lambda-zip: | $(BIN)/python
	$(BIN)/python deploy/lambda_zip.py

smoke-aws: $(VENV)/.dev
	$(BIN)/python -m pytest -p no:cacheprovider -v smoke
