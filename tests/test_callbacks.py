"""Training callbacks: LatentSnapshots."""

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits
from skorch.callbacks import Callback

from aembed import DenoisingAEEmbedder
from aembed.callbacks import LatentSnapshots

FAST = dict(max_epochs=3, hidden_layer_sizes=(16,), random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, _ = load_digits(return_X_y=True)
    return X[:200]


class EpochSpy(Callback):
    """Counts the epochs that began."""

    def on_train_begin(self, net, **kwargs):
        self.epochs = 0

    def on_epoch_begin(self, net, **kwargs):
        self.epochs += 1


def test_snapshots_follow_the_rows(digits):
    snapshots = LatentSnapshots(digits[:20], every=2, n_reconstructions=3)
    est = DenoisingAEEmbedder(**FAST, callbacks=[snapshots]).fit(digits)
    assert snapshots.epochs_ == [2, 3]
    assert_array_equal(snapshots.embeddings_[-1], est.transform(digits[:20]))
    assert snapshots.reconstructions_[-1].shape == (3, 64)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"every": 0}, ValueError, "every must be at least 1, got 0"),
        ({"every": 1.5}, TypeError, "every must be an int"),
        ({"n_reconstructions": -1}, ValueError, "n_reconstructions must be at least"),
        ({"X": np.zeros((3, 5))}, ValueError, "X has 5 features, but .* on 64"),
        ({"X": np.full((3, 64), np.nan)}, ValueError, "NaN"),
        ({"X": np.zeros(64)}, ValueError, "2D array"),
    ],
)
def test_bad_snapshots_are_named_before_the_first_epoch(kwargs, error, match, digits):
    spy = EpochSpy()
    snapshots = LatentSnapshots(**{"X": digits[:5], **kwargs})
    with pytest.raises(error, match=match):
        DenoisingAEEmbedder(**FAST, callbacks=[spy, snapshots]).fit(digits)
    assert getattr(spy, "epochs", 0) == 0


def test_snapshots_of_tensors(digits):
    rows = torch.tensor(digits[:10], dtype=torch.bfloat16).requires_grad_()
    snapshots = LatentSnapshots(rows)
    est = DenoisingAEEmbedder(**FAST, callbacks=[snapshots]).fit(digits)
    assert_array_equal(snapshots.embeddings_[-1], est.transform(digits[:10]))
