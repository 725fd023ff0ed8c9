# Reproducible audit of Liu & Zhang (2023). `make help` lists the targets.
#
# Variables (override on the command line):
#   DATA_DIR    data directory to audit (raw/ + extracted/)           [data]
#   OUT_DIR     where executed notebooks, tables, figures go          [outputs]
#   NB_PARAMS   extra papermill parameters for every notebook (each notebook rejects
#               names it does not declare), e.g. NB_PARAMS="-p data_dir data"
#   AUDIT_PARAMS  tolerances for the audit notebook 00 only, e.g.
#               AUDIT_PARAMS="-p alpha 0.01 -p exponential_band_pp 15 -p median_ratio_band [0.4,1.6]"
#   PYTHON      interpreter used to create the virtual environment    [python3]
#   VENV        the virtual environment                               [.venv]
#   UV_COMPILE  uv's option to compile every installed module at install, e.g. --compile-bytecode  []

PYTHON    ?= python3
VENV      ?= .venv
DATA_DIR  ?= data
OUT_DIR   ?= outputs
NB_PARAMS ?=
AUDIT_PARAMS ?=
UV_VERSION := 0.9.30
UV_COMPILE ?=

# Bytecode: this machine sets PYTHONDONTWRITEBYTECODE=1, so no process would cache compiled modules
# and every kernel would compile pandas, scipy, matplotlib... from source (3x its start-up). make's
# commands run without it: the first process to import a module writes its bytecode (in .venv and
# src/helpers/__pycache__, ignored by git) and every later one reads it. Compiling everything at
# install (UV_COMPILE=--compile-bytecode) costs more than it saves: most installed files are tests.
unexport PYTHONDONTWRITEBYTECODE

PY        := $(VENV)/bin/python
ENV_STAMP := $(VENV)/.installed-stamp
KERNEL    := oligomet-audit

HELPERS   := $(wildcard src/helpers/*.py src/helpers/*/*.py src/helpers/*/*.csv src/helpers/*/templates/*)
RAW       := $(wildcard $(DATA_DIR)/raw/*.txt)
EXTRACTED := $(wildcard $(DATA_DIR)/extracted/*.csv $(DATA_DIR)/extracted/*.json)
EXTERNAL  := $(wildcard $(DATA_DIR)/external/*.csv)
X         := $(DATA_DIR)/extracted
NBOUT     := $(OUT_DIR)/notebooks

NOTEBOOKS := 00_data_and_audit 01_background 02_retrospective_series \
             03_randomised_trials 04_prognostic_factors 05_toxicities 06_report
EXECUTED  := $(NOTEBOOKS:%=$(NBOUT)/%.ipynb)
# findings.csv (one row per distinct defect) is an audit output once the findings step exists
AUDIT_CSV := $(OUT_DIR)/inconsistencies.csv $(OUT_DIR)/recomputed.csv $(OUT_DIR)/extraction_coverage.csv \
             $(OUT_DIR)/findings.csv $(OUT_DIR)/erratum.md $(OUT_DIR)/erratum.zh.md \
             $(if $(EXTERNAL),$(OUT_DIR)/tables/primary_source_summary.csv)

# PYTHONPATH: a checkout always runs its own helpers, whichever checkout .venv was installed from
SYNTH_DIR := tests/synthetic_review
SYNTH_OUT := $(OUT_DIR)/synthetic
SYNTH_NB  := $(SYNTH_OUT)/notebooks/00_data_and_audit.ipynb

RUN = PYTHONPATH=$(CURDIR)/src $(PY) -m helpers.pipeline $< $@ -p data_dir $(DATA_DIR) -p out_dir $(OUT_DIR) $(NB_PARAMS)

.DEFAULT_GOAL := help
.PHONY: all audit notebooks env test test-fast lab help clean distclean synthetic browser propose new-review

# Two passes: the audit first, then the notebooks that read its tables. The second make
# sees the audit tables as they are after the first (they are rewritten only when their
# bytes change), so a section notebook re-executes only when its inputs really changed.
all: $(ENV_STAMP) ## Build the environment, execute every notebook, write every output (DATA_DIR, OUT_DIR, NB_PARAMS, AUDIT_PARAMS)
	@$(MAKE) --no-print-directory audit
	@$(MAKE) --no-print-directory notebooks
	@echo "up to date: $(OUT_DIR)"

audit: $(NBOUT)/00_data_and_audit.ipynb ## Only validate the data and run the audit (notebook 00)

notebooks: $(EXECUTED) $(if $(filter data,$(DATA_DIR)),$(SYNTH_NB))

# The audit also runs on the synthetic review with planted defects (tests/synthetic_review),
# so outputs/synthetic/ shows the engine catching every planted defect.
$(SYNTH_NB): notebooks/00_data_and_audit.ipynb $(HELPERS) $(wildcard $(SYNTH_DIR)/raw/*.txt $(SYNTH_DIR)/extracted/*.csv $(SYNTH_DIR)/external/*.csv) | $(ENV_STAMP) $(PYC_STAMP)
	PYTHONPATH=$(CURDIR)/src $(PY) -m helpers.pipeline $< $@ -p data_dir $(SYNTH_DIR) -p out_dir $(SYNTH_OUT) $(AUDIT_PARAMS)

env: $(ENV_STAMP) ## Create the virtual environment (.venv) from the pinned lock file

# No bytecode is compiled at install (pip --no-compile; uv compiles only with UV_COMPILE): make's
# commands write it on first import (see PYTHONDONTWRITEBYTECODE above).
$(ENV_STAMP): requirements-lock.txt pyproject.toml
	@echo "creating $(VENV) from requirements-lock.txt (uv $(UV_VERSION), pip as fallback)"
	$(PYTHON) -m venv $(VENV)
	( $(PY) -m pip install -q --disable-pip-version-check uv==$(UV_VERSION) \
	  && $(VENV)/bin/uv pip install -q $(UV_COMPILE) --python $(PY) -r requirements-lock.txt \
	  && $(VENV)/bin/uv pip install -q --python $(PY) --no-deps -e . ) \
	|| ( $(PY) -m pip install -q --disable-pip-version-check --no-compile -r requirements-lock.txt \
	  && $(PY) -m pip install -q --disable-pip-version-check --no-deps -e . )
	$(PY) -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "Python (oligomet audit)" >/dev/null
	@touch $@

# ---- notebooks: each executed copy is a file target -------------------------------
# the section notebooks read data that notebook 00's recipe has just validated: not again
$(NBOUT)/%.ipynb: notebooks/%.ipynb $(HELPERS) | $(ENV_STAMP)
	$(RUN) -p validate_data False

# notebook 00 reads every table: validate first, so that bad input stops with a plain message
$(NBOUT)/00_data_and_audit.ipynb: notebooks/00_data_and_audit.ipynb $(HELPERS) $(RAW) $(EXTRACTED) $(EXTERNAL) | $(ENV_STAMP)
	PYTHONPATH=$(CURDIR)/src $(PY) -m helpers validate $(DATA_DIR)
	$(RUN) -p validate_data False $(AUDIT_PARAMS)

# The audit tables are side outputs of notebook 00 (no recipe of their own: make compares
# their real modification times, which change only when their bytes change).
$(AUDIT_CSV): $(NBOUT)/00_data_and_audit.ipynb

$(NBOUT)/01_background.ipynb: $(X)/values.csv $(X)/studies.csv $(X)/references.csv $(AUDIT_CSV)
$(NBOUT)/02_retrospective_series.ipynb: $(X)/values.csv $(X)/studies.csv $(X)/claims.csv $(AUDIT_CSV)
$(NBOUT)/03_randomised_trials.ipynb: $(X)/values.csv $(X)/studies.csv $(AUDIT_CSV)
$(NBOUT)/04_prognostic_factors.ipynb: $(X)/values.csv $(X)/studies.csv $(X)/prognostic.csv $(AUDIT_CSV)
$(NBOUT)/05_toxicities.ipynb: $(X)/values.csv $(X)/studies.csv $(X)/claims.csv $(AUDIT_CSV)
$(NBOUT)/06_report.ipynb: $(filter-out $(NBOUT)/06_report.ipynb,$(EXECUTED)) $(AUDIT_CSV) $(EXTERNAL) $(RAW) $(EXTRACTED) \
                          $(wildcard $(DATA_DIR)/sections.csv $(DATA_DIR)/raw/CITATION.md)

# ---- the synthetic review with planted defects, through the same notebooks --------
synthetic: | $(ENV_STAMP) ## Run every notebook on the synthetic review (tests/synthetic_review -> build/synthetic)
	$(MAKE) all DATA_DIR=tests/synthetic_review OUT_DIR=build/synthetic

# ---- another review: propose an extraction of its text, scaffold its data directory --
REVIEWS_DIR ?= reviews
# RAW names the data directory's texts above; here only a RAW given on the command line counts
RAW_GIVEN := $(if $(findstring command line,$(origin RAW)),$(RAW))

propose: | $(ENV_STAMP) ## Propose an extraction of a text (RAW=text.txt OUT=dir): raw/ + extracted/, validated
	@test -n "$(RAW_GIVEN)" -a -n "$(OUT)" || { echo "usage: make propose RAW=review.txt OUT=dir" >&2; exit 2; }
	PYTHONPATH=$(CURDIR)/src $(PY) -m helpers propose "$(RAW)" "$(OUT)"

new-review: | $(ENV_STAMP) ## Scaffold reviews/NAME from a text (NAME=.. RAW=..), ready for make all DATA_DIR=reviews/NAME
	@test -n "$(NAME)" -a -n "$(RAW_GIVEN)" || { echo "usage: make new-review NAME=name RAW=review.txt" >&2; exit 2; }
	PYTHONPATH=$(CURDIR)/src $(PY) -m helpers new-review "$(NAME)" "$(RAW)" --reviews-dir "$(REVIEWS_DIR)"

# ---- tests and exploration --------------------------------------------------------
test: $(ENV_STAMP) browser ## Run the whole test suite (also rebuilds outputs in a scratch copy and compares bytes)
	PYTHONWARNINGS="ignore:Field" $(PY) -m pytest

test-fast: $(ENV_STAMP) ## Run the tests that do not execute notebooks
	PYTHONWARNINGS="ignore:Field" $(PY) -m pytest -m "not slow"

# The browser test drives headless Chromium (Debian package chromium; a small CJK font so that
# screenshots of the Chinese pages show no tofu). Installed here when missing and run as root.
browser: ## Install headless Chromium for the browser test where missing (Debian, as root)
	@sh tools/ensure_chromium.sh

lab: $(ENV_STAMP) ## Start JupyterLab on 127.0.0.1 with the project's kernel (token authentication on)
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --no-browser --ServerApp.root_dir=$(CURDIR) \
	  --MappingKernelManager.default_kernel_name=$(KERNEL) $(if $(filter 0,$(shell id -u)),--allow-root)

help: ## Show this help
	@echo "Audit of Liu & Zhang (2023). Usage: make <target> [DATA_DIR=..] [OUT_DIR=..] [NB_PARAMS=..]"
	@grep -hE '^[a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-zA-Z_-]+):.*## (.*)/  \1\t\2/' | expand -t 14

clean: ## Remove caches and scratch builds (keeps the committed outputs and .venv)
	rm -rf build .pytest_cache .hypothesis
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +

distclean: clean ## Also remove the virtual environment
	rm -rf $(VENV)
