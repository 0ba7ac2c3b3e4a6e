# The two commands a new user runs: `make demo` and `make test`. Both set up .venv by themselves.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := runs/demo

.PHONY: setup demo test test-fast lint clean-demo

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install -qq --disable-pip-version-check --no-deps --ignore-requires-python lava-nc==0.10.0
	$(BIN)/pip install -qq --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -c "from neurochip.lava_backend import import_lava; import_lava(); import torch; assert '+cpu' in torch.__version__ or not torch.cuda.is_available()"
	touch $(STAMP)

# Train a 4-bit RIVC policy on InvertedPendulum-v5 (SNN rollouts on the emulator), then deploy
# the final SNN on Lava (fixed_pt) and on the emulator with the same seed, and summarise.
demo: $(STAMP)
	$(BIN)/rivc-train seed=0 train.target_return=1000 hydra.run.dir=$(DEMO)/train
	$(BIN)/rivc-deploy checkpoint=$(DEMO)/train/checkpoint.pt backend=lava episodes=5 seed=0 hydra.run.dir=$(DEMO)/deploy_lava
	$(BIN)/rivc-deploy checkpoint=$(DEMO)/train/checkpoint.pt backend=emulator episodes=5 seed=0 hydra.run.dir=$(DEMO)/deploy_emulator
	$(BIN)/python scripts/demo_summary.py $(DEMO)

test: lint
	$(BIN)/python -m pytest -q tests

# The in-process tests only (no subprocess entry points, training runs or Lava): about a minute.
test-fast: lint
	$(BIN)/python -m pytest -q -m "not slow and not lava" tests

lint: $(STAMP)
	$(BIN)/ruff check .

clean-demo:
	rm -rf $(DEMO)
