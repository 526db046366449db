#!/usr/bin/env bash
# Create .venv and install aembed with everything the default report uses
# (umap-learn and openTSNE as baselines, Bokeh for the interactive page, the
# offline MNIST-5k) and its test and lint tools (pytest, Playwright for the
# page's browser test, ruff): the "dev" extra.
#
# PyTorch goes in first, as the CPU build: a bare "torch" requirement with
# nothing installed would pull the multi-GB CUDA build from PyPI. A wheel
# already on the machine (pip's find-links) is used offline when there is
# one; otherwise the CPU build comes from PyTorch's own index. Set
# AEMBED_TORCH to another requirement (e.g. "torch" for your platform's
# default build) to change that.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
pip=(.venv/bin/python -m pip install --quiet)
"${pip[@]}" --upgrade pip
if [[ -n "${AEMBED_TORCH:-}" ]]; then
    "${pip[@]}" "$AEMBED_TORCH"
elif "${pip[@]}" --no-index --no-deps "torch==2.13.0" 2>/dev/null; then
    "${pip[@]}" "torch==2.13.0"  # its dependencies, from the usual index
else
    "${pip[@]}" "torch==2.13.0" --index-url https://download.pytorch.org/whl/cpu
fi
"${pip[@]}" -e ".[dev]"
