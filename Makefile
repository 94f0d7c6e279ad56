# Two commands for a new machine (see README):
#   make demo   set up, then show the phase-1 migration diff of the bundled notebook app
#   make test   set up both environments (Quart 0.22 on Python 3.11, Quart 0.23.1 on 3.13) and run all tests
PYTHON ?= python3
VENV := .venv
VENV313 := .venv313
STAMP := $(VENV)/.installed
STAMP313 := $(VENV313)/.installed

.PHONY: demo test setup setup313 clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test,bench]'
	touch $@

$(STAMP313): pyproject.toml
	"$$(scripts/find-python313)" -m venv $(VENV313)
	$(VENV313)/bin/pip install -q --upgrade pip
	$(VENV313)/bin/pip install -q -e '.[test]'
	touch $@

setup: $(STAMP)
setup313: $(STAMP313)

demo: $(STAMP)
	rm -rf .f2q-demo && mkdir -p .f2q-demo && cp -r fixtures/apps/notebook .f2q-demo/notebook
	cd .f2q-demo && ../$(VENV)/bin/flask2quart migrate notebook --phase 1 --diff

test: $(STAMP) $(STAMP313)
	-scripts/install-chromium browser
	F2Q_PYTHON313=$(CURDIR)/$(VENV313)/bin/python $(VENV)/bin/python -m pytest -q -n 2 --timeout 900
	# the tool itself and the version-sensitive suites again on Python 3.13 / Quart 0.23.1
	$(VENV313)/bin/python -m pytest -q -n 2 --timeout 900 tests/test_catalogue.py tests/bridge tests/phase1 tests/phase2 tests/phase3 tests/test_testing_shim.py tests/test_cli.py tests/test_segments.py tests/test_index_generators.py tests/test_apply_positions.py

clean:
	rm -rf $(VENV) $(VENV313) .f2q-demo
