# Two commands matter: `make run` and `make test`. Both create .venv when it is
# missing. `make run` installs only what the app needs (the package and its base
# dependencies: well under a minute on a fresh clone); `make test` installs
# everything (test tools, spaCy, PostgreSQL, the browser test, learning).
# Two stamps: a test install satisfies `make run` too.
# The venv's interpreter: the distribution's CPython (/usr/bin/python3) when it is 3.11 or newer and can
# make a venv, else python3. Debian, Ubuntu and Fedora build theirs with PGO and LTO; pyenv's default build
# has neither, and runs our Python code 15-25% slower (the facts of bench_align_scale: bench/README.md,
# ninth round). `make PYTHON=python3 ...` chooses another; an existing .venv is kept (`make clean` first).
PYTHON ?= $(shell /usr/bin/python3 -c 'import sys, ensurepip, venv; sys.exit(sys.version_info < (3, 11))' \
	>/dev/null 2>&1 && echo /usr/bin/python3 || echo python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
RUN_STAMP := $(VENV)/.installed-run-stamp
CORPUS ?= seeds
STORE  ?= annotations

.PHONY: run test lint bench install install-run clean chromium interop postgresql-ssl

# PYTHONDONTWRITEBYTECODE=1 (set in some environments) made every start compile reader/'s
# ~110 modules from source: our commands write and use bytecode whatever the caller's shell says.
unexport PYTHONDONTWRITEBYTECODE

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(RUN_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,spacy,postgres,serve,browser,learn]'
	touch $(STAMP) $(RUN_STAMP)

install: $(STAMP)

install-run: $(RUN_STAMP)

run: $(RUN_STAMP)
	$(BIN)/reader $(CORPUS) --store $(STORE)

# Headless Chromium for the browser test of `reader serve` (Debian's package;
# Playwright drives it, its own browser download is not used). Installed when
# missing and we are root (as in CI); otherwise that test skips and says why.
# In CI (CI set, or READER_REQUIRE_BROWSER=1 as .ci/run exports) failing to
# install it is an error, and the browser test fails rather than skips.
chromium:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) && \
	  command -v chromium >/dev/null 2>&1; } || { \
	  case "$$(printf %s "$${CI:-}" | tr A-Z a-z)" in ""|0|false|no) req="$${READER_REQUIRE_BROWSER:-}";; *) req=1;; esac; \
	  if [ "$$req" = 1 ]; then echo "chromium could not be installed, and CI requires the browser test" >&2; exit 1; fi; \
	  echo "chromium not installed: the browser test will skip"; }

# A PostgreSQL built with OpenSSL for the TLS test (pgserver's bundled server has no SSL):
# Debian's postgresql package, installed when missing and we are root; otherwise that test skips.
postgresql-ssl:
	@ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql openssl >/dev/null; } || \
	  echo "Debian's postgresql could not be installed: the TLS test will skip"

# pytest-xdist with two workers per core (PostgreSQL servers, snapshots and temp paths are per worker):
# many tests wait (a Pilot's pauses, child processes, fsync, Chromium), and with one worker per core
# the cores were busy 60% of the run; two per core: 5 min 24 s -> 4 min 48 s on 2 cores
test: lint chromium postgresql-ssl
	$(BIN)/python -m pytest -q -n $$(( 2 * $$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1) ))

# Types (mypy, strict on all of reader/) and the import layers (import-linter); config in pyproject.toml.
lint: $(STAMP)
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench --write-readme

# Our exports through their real consumers (Label Studio server and its labelling page, doccano,
# brat, spaCy, datasets), each installed from PyPI in its own venv under .interop/
# (cached: rm -rf .interop for a cold run). Label Studio's labelling page and doccano's annotation page open in
# headless Chromium (the chromium target above).
# --write-docs records the versions checked in the table of docs/formats.md.
interop: $(STAMP) chromium
	$(BIN)/python -m interop --write-docs

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis .mypy_cache .import_linter_cache
