# The two commands: `make serve` and `make test`. Both create .venv and install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export CONFLICTKG_STORE ?= var/store
# The query page's editor, from the npm registry into a gitignored folder (never committed).
YASGUI := api/static/vendor/node_modules/@zazuko/yasgui/build/yasgui.min.js
# The explorer's network drawing, from the npm registry the same way.
CYTOSCAPE := api/static/vendor/node_modules/cytoscape/dist/cytoscape.min.js
# /docs (Swagger UI) from the npm registry too, so the API docs work offline (no CDN).
SWAGGER := api/static/vendor/node_modules/swagger-ui-dist/swagger-ui-bundle.js

.PHONY: serve test install seed bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench,parallel]'
	touch $(STAMP)

$(YASGUI):
	npm install --prefix api/static/vendor --no-audit --no-fund --silent '@zazuko/yasgui@^4.6'

$(CYTOSCAPE):
	npm install --prefix api/static/vendor --no-audit --no-fund --silent 'cytoscape@^3.30'

$(SWAGGER):
	npm install --prefix api/static/vendor --no-audit --no-fund --silent 'swagger-ui-dist@^5'

install: $(STAMP) $(YASGUI) $(CYTOSCAPE) $(SWAGGER)

seed: $(STAMP)
	$(BIN)/conflictkg seed --if-absent

serve: seed $(YASGUI) $(CYTOSCAPE) $(SWAGGER)
	$(BIN)/conflictkg serve --host 127.0.0.1 --port 8000

# The store suite once more on Debian's Virtuoso (`virtuoso-t`, apt package virtuoso-opensource) where it is
# installed; in CI (CI=true) a missing virtuoso-t fails instead of skipping. README: "What differs on Virtuoso".
VIRTUOSO_SUITE := tests/graph/store/test_store.py tests/graph/store/test_remote.py tests/graph/store/test_dump.py \
	tests/graph/store/test_load_properties.py tests/graph/store/test_readers.py tests/graph/store/test_datasets.py

# Three pytest processes side by side on two cores (one alone left half a core idle, waiting on the
# servers and subprocesses its tests start): the SIGKILL loops (`-m crash`, each waits on one
# `conflictkg import` or `load` subprocess at a time); the HTTP API tests (`tests/api`: servers, CLI
# chains, the browser); and in the foreground the rest, then the Virtuoso suite. Each background run's
# output is printed after the foreground's, whole, and its tmp_path folders (screenshots of the page
# tests) stay in .venv/tmp-api and .venv/tmp-crash: beside other sessions, pytest's numbered folders
# under /tmp were cleaned up by the next session that started. (Measured on fresh clones: 8 min 57 s to 10 min 20 s;
# the lanes are balanced by hand, each 7–8 minutes, so move a file when one grows.)
CRASH_LOG := $(VENV)/crash-tests.log
API_LOG := $(VENV)/api-tests.log

test: $(STAMP) $(YASGUI) $(CYTOSCAPE) $(SWAGGER)
	@{ echo "$(BIN)/python -m pytest -m crash --durations=5"; \
	  $(BIN)/python -m pytest -m crash --durations=5 -p no:cacheprovider --basetemp=$(VENV)/tmp-crash; } >$(CRASH_LOG) 2>&1 & crash=$$!; \
	{ echo "$(BIN)/python -m pytest -m 'not crash' --durations=10 tests/api"; \
	  $(BIN)/python -m pytest -m 'not crash' --durations=10 -p no:cacheprovider --basetemp=$(VENV)/tmp-api tests/api; } >$(API_LOG) 2>&1 & api=$$!; \
	echo "$(BIN)/python -m pytest -m 'not crash' --durations=10 --ignore=tests/api  (beside it: the API tests, the crash loops)"; \
	$(BIN)/python -m pytest -m 'not crash' --durations=10 --ignore=tests/api; main=$$?; \
	if command -v virtuoso-t >/dev/null 2>&1; then \
	  echo "$(BIN)/python -m pytest --remote virtuoso -m server $(VIRTUOSO_SUITE)"; \
	  $(BIN)/python -m pytest --remote virtuoso -m server -p no:cacheprovider $(VIRTUOSO_SUITE) || main=1; \
	elif [ "$$(printf %s "$${CI:-}" | tr A-Z a-z)" = true ]; then \
	  echo "virtuoso-t is not installed: CI runs the store suite on Virtuoso too (apt-get install virtuoso-opensource)"; \
	  main=1; \
	else \
	  echo "Skipped the store suite on Virtuoso: virtuoso-t is not installed (sudo apt-get install virtuoso-opensource)."; \
	fi; \
	wait $$api; api=$$?; wait $$crash; crash=$$?; \
	echo; echo "---- run beside it ($(API_LOG)) ----"; cat $(API_LOG); \
	echo; echo "---- run beside it ($(CRASH_LOG)) ----"; cat $(CRASH_LOG); \
	[ $$main = 0 ] && [ $$api = 0 ] && [ $$crash = 0 ]

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var build *.egg-info
