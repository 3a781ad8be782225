# The two commands that matter (see README):
#   make all    set up .venv on a fresh machine and run the main job on the seeds
#   make test   run the test suite (sets up .venv first if needed)
PY := .venv/bin/python

.PHONY: all setup main test benchmark clean

all: main

setup: .venv/.installed

.venv/.installed: pyproject.toml constraints.txt scripts/setup.sh
	bash scripts/setup.sh
	touch $@

main: setup
	.venv/bin/nlp corpus seeds
	.venv/bin/nlp run --config configs/main.yaml

test: setup
	$(PY) -m pytest -q

clean:
	rm -rf .venv build *.egg-info .pytest_cache
