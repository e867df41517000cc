# Two commands on a fresh machine: `make app` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: app test bench bench-ptb lint chromium

$(PY):
	python3 -m venv $(VENV)

# Re-install when pyproject.toml changes; the stamp files skip pip otherwise.
# tinysoundfont renders MIDI to audio from pip alone, but declares pyaudio (playback only, does not
# build here), so it is installed without dependencies rather than listed in pyproject.toml.
$(VENV)/.app-installed: pyproject.toml | $(PY)
	$(PIP) install -e '.[app]'
	$(PIP) install --no-deps 'tinysoundfont>=0.3'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(PY)
	$(PIP) install -e '.[test]'
	$(PIP) install --no-deps 'tinysoundfont>=0.3'
	touch $@ $(VENV)/.app-installed

app: $(VENV)/.app-installed
	$(VENV)/bin/nlp-rnn app

test: $(VENV)/.test-installed chromium
	$(PY) -m pytest

# The real-browser test drives Debian's Chromium (never `playwright install`).
chromium:
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq chromium >/dev/null; } || echo "warning: could not install chromium; the browser test will skip"

bench: $(VENV)/.test-installed
	$(PY) -m bench

bench-ptb: $(VENV)/.test-installed
	$(PY) -m bench.ptb

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
