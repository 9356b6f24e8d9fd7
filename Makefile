# The two commands: `make serve` and `make test`. Both create .venv and install.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export CONFLICTKG_STORE ?= var/store
# The query page's editor, from the npm registry into a gitignored folder (never committed).
YASGUI := api/static/vendor/node_modules/@zazuko/yasgui/build/yasgui.min.js

.PHONY: serve test install seed bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

$(YASGUI):
	npm install --prefix api/static/vendor --no-audit --no-fund --silent '@zazuko/yasgui@^4.6'

install: $(STAMP) $(YASGUI)

seed: $(STAMP)
	$(BIN)/conflictkg seed --if-absent

serve: seed $(YASGUI)
	$(BIN)/conflictkg serve --host 127.0.0.1 --port 8000

test: $(STAMP) $(YASGUI)
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var build *.egg-info
