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

# The real-browser tests drive Debian's Chromium (never `playwright install`) and need a colour emoji
# font to draw Emojify's answers. They never skip: if these cannot be installed, `make test` stops here.
BROWSER_PACKAGES := chromium fonts-noto-color-emoji
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
chromium:
	@dpkg-query -W -f='$${Status}\n' $(BROWSER_PACKAGES) 2>/dev/null | grep -c 'ok installed' | grep -qx 2 || { \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(BROWSER_PACKAGES) >/dev/null; \
	} || { echo "error: the browser tests need Debian's $(BROWSER_PACKAGES) and apt-get could not install them;" \
		"install them (apt-get install $(BROWSER_PACKAGES)) and rerun make test" >&2; exit 1; }
	@test -x /usr/bin/chromium || { echo "error: /usr/bin/chromium is missing after installing chromium" >&2; exit 1; }

bench: $(VENV)/.test-installed
	$(PY) -m bench

bench-ptb: $(VENV)/.test-installed
	$(PY) -m bench.ptb

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
