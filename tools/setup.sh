#!/usr/bin/env bash
# Create .venv and install aembed with its test and plotting extras, offline-safe.
#
# PyTorch goes in first, as the CPU build: a bare "torch" requirement with
# nothing installed would pull the multi-GB CUDA build. Set AEMBED_TORCH to
# another requirement (e.g. "torch" for your platform's default build) to
# change that.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet "${AEMBED_TORCH:-torch==2.13.0}"
.venv/bin/python -m pip install --quiet -e ".[dev]"
