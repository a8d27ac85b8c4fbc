# Willkommenslotse – developer tasks. A new user needs two: `make run`, `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV      := .venv
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
MODEL     := models/welcome.tar.gz
# Browser tests drive Debian's Chromium (Playwright's own download does not work offline).
CHROMIUM  := /usr/bin/chromium
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

# Rasa 3.6 runs on Python 3.10 only: PATH first, then pyenv's versions; each
# candidate must really run (a pyenv shim may exist without the version).
PYTHON310 ?= $(shell for p in python3.10 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.10.*/bin/python 2>/dev/null | sort -rV) /usr/local/bin/python3.10 /usr/bin/python3.10; do \
	  if $$p -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))' >/dev/null 2>&1; then command -v $$p; break; fi; done)

# Retrain only when something the model is built from changed.
TRAINING_INPUTS := $(shell find data/nlu data/rules data/stories config -name '*.yml' 2>/dev/null) \
                   $(wildcard bot/nlu/*.py) bot/language.py

.PHONY: help setup train run chat test bench bench-translate bench-detect bench-load lint clean

help:
	@echo "make run    start the assistant (sets everything up on first use)"
	@echo "make test   run all tests (sets everything up on first use)"
	@echo "make bench  print NLU benchmark figures"
	@echo "make bench-translate / bench-detect   translation and language-detection figures"
	@echo "make bench-load   channels under load (50 users; REST, web chat, Telegram)"
	@echo "make chat   chat in the terminal with a running assistant"
	@echo "make lint   ruff check and format check"

$(STAMP): requirements.lock pyproject.toml
	@if [ -z "$(PYTHON310)" ]; then \
	  echo "error: Python 3.10 is needed (Rasa 3.6 supports no other version)." >&2; \
	  echo "Install it (e.g. 'pyenv install 3.10') or run: make PYTHON310=/path/to/python3.10" >&2; \
	  exit 1; fi
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then \
	  echo "Removing $(VENV): it is not Python 3.10"; rm -rf $(VENV); fi
	@[ -x $(BIN)/python ] || $(PYTHON310) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip<25"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

setup: $(STAMP)

$(MODEL): $(STAMP) $(TRAINING_INPUTS)
	$(BIN)/welcome train
	@touch $@

train: $(MODEL)

# On a developer's machine the REST channel is on for `make chat` (local programs
# only, unless WELCOME_REST_TOKEN is set); `welcome run` alone keeps it off. The
# office's session cookie goes without the Secure flag over local http here;
# `welcome run` alone keeps the flag (production is behind HTTPS).
run: $(MODEL)
	WELCOME_REST_CHANNEL=$${WELCOME_REST_CHANNEL:-on} \
	WELCOME_OFFICE_SECURE_COOKIES=$${WELCOME_OFFICE_SECURE_COOKIES:-off} $(BIN)/welcome run

chat: $(STAMP)
	$(BIN)/welcome chat

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null \
	  || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null; }; \
	elif command -v sudo >/dev/null; then \
	  sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver >/dev/null; \
	else \
	  echo "error: the browser tests need Chromium: apt-get install chromium chromium-driver" >&2; exit 1; \
	fi

# Tests that run CTranslate2 models. CTranslate2's int8 kernels differ by CPU
# (oneDNN is its default on AMD, MKL on Intel): these run once under each, so a
# machine of either vendor proves both.
TRANSLATION_TESTS := tests/translation tests/e2e/test_translation.py \
                     tests/nlu/test_translation_components.py tests/bot/test_catalogue.py \
                     tests/channels/test_telegram_notices.py tests/browser/test_webchat_languages.py \
                     tests/casework/test_preview.py tests/office/test_queue.py \
                     tests/browser/test_office_journey.py tests/chatfigures/test_unanswered.py \
                     tests/browser/test_content_journey.py tests/office/test_content_translation.py \
                     tests/browser/test_editor_pages.py tests/e2e/test_faq.py

test: $(MODEL) $(CHROMIUM)
	$(BIN)/python -m pip check
	$(BIN)/lint-imports --no-cache
	$(BIN)/python -m pytest $(addprefix --ignore=,$(TRANSLATION_TESTS))
	CT2_USE_MKL=0 $(BIN)/python -m pytest $(TRANSLATION_TESTS)
	CT2_USE_MKL=1 $(BIN)/python -m pytest $(TRANSLATION_TESTS)

bench: $(MODEL)
	$(BIN)/python bench/nlu.py

bench-translate: $(MODEL)
	$(BIN)/python bench/translate.py

bench-detect: $(STAMP)
	$(BIN)/python bench/detect.py

bench-load: $(MODEL)
	$(BIN)/python bench/load.py

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

clean:
	rm -rf models results .pytest_cache
