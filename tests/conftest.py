"""What the test files share: small real data, fast settings, GPU markers.

The settings are imported (``from conftest import FAST``); the data are
fixtures, one array per test module, so that no module sees another's
changes.
"""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits

# A few epochs of a one-layer network: enough to learn something, fast.
FAST = dict(max_epochs=3, hidden_layer_sizes=(32,), random_state=0)
# The smallest network, with the epochs left to the estimator's rule
# (max_epochs="auto") and no early stop on a flat loss.
TINY = dict(hidden_layer_sizes=(16,), random_state=0, tol=None)


@pytest.fixture(scope="module")
def digits():
    """300 of scikit-learn's 8x8 digits (grey levels 0-16) and their labels."""
    X, y = load_digits(return_X_y=True)
    return X[:300], y[:300]


@pytest.fixture(scope="module")
def digit_pixels():
    """300 digits as float32 pixels in [0, 1], and their labels."""
    X, y = load_digits(return_X_y=True)
    return (X[:300] / 16).astype(np.float32), y[:300]


@pytest.fixture(scope="module")
def small_digits():
    """200 digits (grey levels 0-16), no labels."""
    X, _ = load_digits(return_X_y=True)
    return X[:200]


@pytest.fixture(scope="module")
def digit_rows():
    """400 digits as float32 (grey levels 0-16), no labels: blocks to stream."""
    X, _ = load_digits(return_X_y=True)
    return X[:400].astype(np.float32)


NO_CUDA = "needs a CUDA device; torch.cuda.is_available() is False here"


def pytest_collection_modifyitems(config, items):
    """Skip the tests marked ``gpu``, saying why, where there is no GPU."""
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason=NO_CUDA)
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def without_cuda():
    """Skip, saying why, where a CUDA device is available: for tests of how
    aembed explains its absence."""
    if torch.cuda.is_available():
        pytest.skip("checks the behaviour without CUDA; a CUDA device is here")
