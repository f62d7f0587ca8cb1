# SafePassage — the front door. `make help` lists the targets.
# Two virtual environments: .venv/rasa (Python 3.10, Rasa 3.6) and .venv/gateway (current Python).

SHELL := /bin/bash
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

RASA_VENV := .venv/rasa
GW_VENV := .venv/gateway
RASA_PY := $(RASA_VENV)/bin/python
RASA := $(RASA_VENV)/bin/rasa
GW_PY := $(GW_VENV)/bin/python
GATEWAY_PYTHON ?= python3
MODEL := models/safepassage.tar.gz
SPACY_BLANK := var/spacy/en_blank/meta.json
TRAIN_INPUTS := config.yml domain.yml $(shell find data nlu -type f \( -name '*.yml' -o -name '*.py' \) -not -path 'nlu/patterns/*' 2>/dev/null)
# nlu/patterns/ are read when a message is parsed, not when training: editing them needs no retraining.

export PYTHONPATH := $(CURDIR)
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
# Offline Rasa commands (test, evaluate) read endpoints.yml's ${VAR}s but use no tracker store:
# give them throwaway values. `make run` (bot/launcher.py) sets the real ones.
OFFLINE_ENDPOINTS := ACTION_ENDPOINT_URL=http://127.0.0.1:5055/webhook RASA_TRACKER_URL=sqlite:// \
  RASA_LOCK_STORE=in_memory RASA_LOCK_STORE_HOST=127.0.0.1 RASA_LOCK_STORE_PORT=6379 RASA_LOCK_STORE_DB=1

# pytest exits 5 when it collects nothing: say so instead of failing or passing silently.
define pytest
	@set +e; $(1) -m pytest $(2); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "no tests collected in $(2)"; exit 0; fi; exit $$rc
endef

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

.PHONY: run
run: install $(MODEL) ## install what is missing, train if needed, start everything, print the URLs
	SAMPLE_DATA=$${SAMPLE_DATA:-1} $(GW_PY) -m bot run

.PHONY: test
test: install nginx $(MODEL) lint validate ## the same set-up, then every test (PostgreSQL and Redis on 127.0.0.1, redis-server installed)
	$(MAKE) --no-print-directory test-stories
	$(call pytest,$(RASA_PY),tests/nlu_components tests/actions tests/locales tests/rasa_channels)
	$(call pytest,$(GW_PY),tests/gateway tests/integration tests/browser tests/fuzz)
	$(call pytest,$(GW_PY),tests/scaled -v)

# Scale-out (docs/operations.md): PostgreSQL and Redis on 127.0.0.1 (override the URLs below).
SCALED_POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/postgres
SCALED_REDIS_URL ?= redis://127.0.0.1:6379/0
TEST_DATABASE_URL_PG ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
export SCALED_POSTGRES_URL SCALED_REDIS_URL

.PHONY: run-scaled
run-scaled: install nginx $(MODEL) ## 2 Rasa, 2 action servers, 2 gateways behind nginx, on PostgreSQL and Redis
	SAMPLE_DATA=$${SAMPLE_DATA:-1} $(GW_PY) -m bot run-scaled

.PHONY: test-pg
test-pg: install ## the gateway tests again, each on a fresh PostgreSQL database (TEST_DATABASE_URL)
	$(call pytest,env TEST_DATABASE_URL=$(TEST_DATABASE_URL_PG) $(GW_PY),tests/gateway)

.PHONY: test-scaled
test-scaled: install nginx $(MODEL) ## the replicated topology under load and faults (kill -9, SIGSTOP, ...)
	$(call pytest,$(GW_PY),tests/scaled -v)

.PHONY: fuzz
fuzz: install ## 10,000 generated webhook requests per channel (hypothesis; make test runs them too)
	$(call pytest,env FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-10000} $(GW_PY),tests/fuzz -q --durations=5)

.PHONY: nginx
nginx:
	@[ -x /usr/sbin/nginx ] || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing nginx (apt-get) for the scaled topology ..."; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light >/dev/null 2>&1 || \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }; \
	  else echo "nginx is missing: install it (sudo apt-get install nginx) for run-scaled and test-scaled"; exit 1; fi; }

.PHONY: install
install: $(RASA_VENV)/.installed $(GW_VENV)/.installed $(SPACY_BLANK) chromium ## create both virtual environments

# The console's browser tests drive Debian's chromium with Playwright (no browser download).
.PHONY: chromium
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing chromium (apt-get) for the console's browser tests ..."; \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null || \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }; \
	  else echo "chromium is missing: install it (sudo apt-get install chromium) to run the browser tests"; exit 1; fi; }

$(RASA_VENV)/.installed: requirements/rasa.lock
	@PY310=$$(scripts/find-python310) || exit 1; \
	echo "Creating the Rasa environment with $$PY310 (a few minutes the first time) ..."; \
	[ -x $(RASA_PY) ] || $$PY310 -m venv $(RASA_VENV)
	$(RASA_PY) -m pip install --quiet --disable-pip-version-check -r requirements/rasa.lock
	@touch $@

$(GW_VENV)/.installed: requirements/gateway.lock
	@$(GATEWAY_PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "the gateway needs Python 3.11 or newer (set GATEWAY_PYTHON=...)"'
	@[ -x $(GW_PY) ] || $(GATEWAY_PYTHON) -m venv $(GW_VENV)
	$(GW_PY) -m pip install --quiet --disable-pip-version-check -r requirements/gateway.lock
	@touch $@

# spaCy's trained pipelines cannot be downloaded here: a blank English pipeline gives
# spaCy's tokenizer and rule components, and is all the NLU pipeline needs.
$(SPACY_BLANK): $(RASA_VENV)/.installed
	@mkdir -p var/spacy
	$(RASA_PY) -c "import spacy; spacy.blank('en').to_disk('var/spacy/en_blank')"

.PHONY: train
train: install $(MODEL) ## train the model if data, config or components changed

$(MODEL): $(TRAIN_INPUTS) | $(RASA_VENV)/.installed $(SPACY_BLANK)
	@echo "Training the model (about 4 minutes on 2 cores) ..."
	$(RASA) train --fixed-model-name safepassage --out models
	@touch $@

.PHONY: validate
validate: install ## check the training data and domain (rasa data validate)
	@scripts/validate-data

.PHONY: test-stories
test-stories: install $(MODEL) ## run the conversation tests in tests/test_stories.yml
	$(OFFLINE_ENDPOINTS) $(RASA) test core --model $(MODEL) --stories tests/test_stories.yml \
	  --fail-on-prediction-errors --out var/results/stories

.PHONY: eval-nlu
eval-nlu: install ## train NLU on data/ and score it on the held-out sets in tests/nlu/
	$(RASA) train nlu --fixed-model-name nlu-eval --out var/eval
	$(RASA_PY) bench/eval_nlu.py --model var/eval/nlu-eval.tar.gz tests/nlu/holdout*.yml

# One model per language instead of one multilingual model (docs/languages.md): each language's
# training data alone (English: data/nlu/*.yml, others: data/nlu/<lang>/), scored on its held-out set.
.PHONY: eval-nlu-per-language
eval-nlu-per-language: install ## train one NLU model per language and score each on its own held-out set
	@set -e; for held in tests/nlu/holdout*.yml; do \
	  lang=$$(basename $$held .yml | sed -n 's/^holdout_//p'); lang=$${lang:-en}; \
	  rm -rf var/eval/data-$$lang && mkdir -p var/eval/data-$$lang; \
	  if [ $$lang = en ]; then cp data/nlu/*.yml var/eval/data-$$lang/; \
	  elif [ -d data/nlu/$$lang ]; then cp data/nlu/$$lang/*.yml var/eval/data-$$lang/; \
	  else echo "no training data for $$lang (data/nlu/$$lang/)"; continue; fi; \
	  $(RASA) train nlu --nlu var/eval/data-$$lang --fixed-model-name nlu-$$lang --out var/eval; \
	  $(RASA_PY) bench/eval_nlu.py --model var/eval/nlu-$$lang.tar.gz $$held; \
	done

.PHONY: eval-offers
HOLDOUT_ADS := tests/job_offers/holdout.yml tests/job_offers/holdout2.yml tests/job_offers/holdout3.yml tests/job_offers/holdout4.yml tests/job_offers/holdout5.yml tests/job_offers/holdout6.yml
eval-offers: install ## score red flags and verdicts on the six held-out sets, with and without the learned second opinion (then the dev sets tuned on)
	$(RASA_PY) bench/eval_offers.py --rules en,es,fr $(HOLDOUT_ADS)
	$(RASA_PY) bench/eval_offers.py --rules en,es,fr --patterns-only $(HOLDOUT_ADS)
	$(RASA_PY) bench/eval_offers.py --rules en,es,fr tests/job_offers/dev*.yml

.PHONY: eval-offers-blind
eval-offers-blind: install ## how the second opinion's thresholds were chosen: blind predictions of earlier pattern versions (needs git history, ~4 min)
	$(RASA_PY) bench/offer_model_blind.py

.PHONY: red-flag-model
red-flag-model: install ## retrain the red-flag second opinion (nlu/patterns/red_flags_model.json) on tests/job_offers/dev*.yml
	$(RASA_PY) scripts/train_red_flag_model.py

.PHONY: lint
lint: install ## ruff and mypy over every package
	$(GW_VENV)/bin/ruff check .
	$(GW_VENV)/bin/mypy bot
	$(RASA_VENV)/bin/mypy nlu actions locales rasa_channels

.PHONY: lock-rasa lock-gateway
lock-rasa: ## refreeze requirements/rasa.lock from requirements/rasa.in
	rm -rf /tmp/sp-lock-rasa && $$(scripts/find-python310) -m venv /tmp/sp-lock-rasa
	/tmp/sp-lock-rasa/bin/pip install -r requirements/rasa.in
	(echo "# Frozen from a known-good install: make lock-rasa"; /tmp/sp-lock-rasa/bin/pip freeze) > requirements/rasa.lock
lock-gateway: ## refreeze requirements/gateway.lock from requirements/gateway.in
	rm -rf /tmp/sp-lock-gw && $(GATEWAY_PYTHON) -m venv /tmp/sp-lock-gw
	/tmp/sp-lock-gw/bin/pip install -r requirements/gateway.in
	(echo "# Frozen from a known-good install: make lock-gateway"; /tmp/sp-lock-gw/bin/pip freeze) > requirements/gateway.lock

.PHONY: clean
clean: ## remove trained models and local data (keeps the environments)
	rm -rf models var/eval var/results var/log

.PHONY: bench
bench: install $(MODEL) ## time to healthy, turn latency and memory of each process (prints a table)
	$(GW_PY) bench/startup_memory.py

.PHONY: bench-load
bench-load: install nginx $(MODEL) ## 100 conversations over the webhooks, 1 vs 2 replica sets (table + PNG plots)
	$(GW_PY) bench/load.py --seconds $${LOAD_SECONDS:-600} --users $${LOAD_USERS:-100}

.PHONY: bench-channels
bench-channels: install $(MODEL) ## Telegram: gateway webhook vs Rasa REST vs Rasa's own connector (prints a table)
	$(GW_PY) bench/channels.py
