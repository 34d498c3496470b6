# The front door. `make demo` and `make test` are the two commands in README.md.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
PORT    ?= 8000
HOST    ?= 127.0.0.1
VENDOR  := guanhuai/static/vendor
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo -n)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test install install-test assets system-packages test-packages lint typecheck migrations-check serve worker bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

install: $(VENV)/.installed assets
install-test: $(VENV)/.installed-test assets

# Debian packages the project uses where the machine allows: CJK fonts (Noto for the browser, WenQuanYi
# Zen Hei embedded in PDFs: reportlab embeds TrueType only, not Noto's CFF outlines), npm for the assets.
system-packages:
	@if command -v apt-get >/dev/null 2>&1; then \
	  need=""; \
	  [ -d /usr/share/fonts/opentype/noto ] || need="$$need fonts-noto-cjk"; \
	  [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || need="$$need fonts-wqy-zenhei"; \
	  command -v npm >/dev/null 2>&1 || need="$$need npm"; \
	  if [ -n "$$need" ]; then \
	    echo "Installing Debian packages:$$need"; \
	    ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq $$need) || echo "warning: could not install$$need"; \
	  fi; \
	fi

# The browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
test-packages: system-packages
	@if command -v apt-get >/dev/null 2>&1 && ! command -v chromium >/dev/null 2>&1; then \
	  echo "Installing Debian packages: chromium"; \
	  ($(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium) || echo "warning: could not install chromium"; \
	fi

# Bootstrap 5 and htmx come from the npm registry (versions pinned in package.json / package-lock.json).
assets: $(VENDOR)/.done
$(VENDOR)/.done: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || $(MAKE) system-packages
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p $(VENDOR)
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/css/bootstrap.min.css.map $(VENDOR)/
	cp node_modules/bootstrap/dist/js/bootstrap.bundle.min.js node_modules/bootstrap/dist/js/bootstrap.bundle.min.js.map $(VENDOR)/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/
	@touch $@

demo: system-packages install
	GUANHUAI_DEMO=1 $(BIN)/guanhuai migrate --noinput -v0
	GUANHUAI_DEMO=1 $(BIN)/guanhuai collectstatic --noinput -v0
	GUANHUAI_DEMO=1 $(BIN)/guanhuai demo
	@echo "Guanhuai on http://$(HOST):$(PORT)/  (worker running beside it; Ctrl-C stops both)"
	@GUANHUAI_DEMO=1 $(BIN)/guanhuai worker & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	  GUANHUAI_DEMO=1 $(BIN)/guanhuai runserver $(HOST):$(PORT) --noreload

lint: $(VENV)/.installed-test
	$(BIN)/ruff check guanhuai benchmarks conftest.py
	$(BIN)/ruff format --check guanhuai benchmarks conftest.py
	$(BIN)/lint-imports --no-cache

typecheck: $(VENV)/.installed-test
	GUANHUAI_TESTING=1 $(BIN)/mypy guanhuai

migrations-check: $(VENV)/.installed-test
	GUANHUAI_TESTING=1 $(BIN)/guanhuai makemigrations --check --dry-run

test: test-packages install-test lint typecheck migrations-check
	$(BIN)/pytest -n $${TEST_WORKERS:-2} $(PYTEST_ARGS)

bench: install
	GUANHUAI_DEBUG=1 $(BIN)/guanhuai bench scope

clean:
	rm -rf $(VENV) node_modules $(VENDOR)
