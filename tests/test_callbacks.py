"""Training callbacks: LatentSnapshots records, ValidationLoss watches."""

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal
from sklearn.datasets import load_digits
from skorch.callbacks import Callback

from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder
from aembed.callbacks import LatentSnapshots, ValidationLoss
from conftest import FAST as FAST_VALID

FAST = dict(FAST_VALID, hidden_layer_sizes=(16,))


class EpochSpy(Callback):
    """Counts the epochs that began."""

    def on_train_begin(self, net, **kwargs):
        self.epochs = 0

    def on_epoch_begin(self, net, **kwargs):
        self.epochs += 1


def test_snapshots_follow_the_rows(small_digits):
    snapshots = LatentSnapshots(small_digits[:20], every=2, n_reconstructions=3)
    est = DenoisingAEEmbedder(**FAST, callbacks=[snapshots]).fit(small_digits)
    assert snapshots.epochs_ == [2, 3]
    assert_array_equal(snapshots.embeddings_[-1], est.transform(small_digits[:20]))
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
def test_bad_snapshots_are_named_before_the_first_epoch(
    kwargs, error, match, small_digits
):
    spy = EpochSpy()
    snapshots = LatentSnapshots(**{"X": small_digits[:5], **kwargs})
    with pytest.raises(error, match=match):
        DenoisingAEEmbedder(**FAST, callbacks=[spy, snapshots]).fit(small_digits)
    assert getattr(spy, "epochs", 0) == 0


def test_snapshots_of_tensors(small_digits):
    rows = torch.tensor(small_digits[:10], dtype=torch.bfloat16).requires_grad_()
    snapshots = LatentSnapshots(rows)
    est = DenoisingAEEmbedder(**FAST, callbacks=[snapshots]).fit(small_digits)
    assert_array_equal(snapshots.embeddings_[-1], est.transform(small_digits[:10]))


# -- ValidationLoss ---------------------------------------------------------------


@pytest.fixture(scope="module")
def digits_and_valid():
    X, _ = load_digits(return_X_y=True)
    return X[:300], X[300:360]


@pytest.mark.parametrize("cls", [DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder])
@pytest.mark.parametrize("neighbor_weight", [0.0, 1.0])
def test_validation_loss_leaves_the_model_as_without_it(
    digits_and_valid, cls, neighbor_weight
):
    X, X_valid = digits_and_valid
    plain = cls(**FAST_VALID, neighbor_weight=neighbor_weight).fit(X)
    watched = cls(
        **FAST_VALID,
        neighbor_weight=neighbor_weight,
        callbacks=[ValidationLoss(X_valid)],
    ).fit(X)
    np.testing.assert_array_equal(plain.transform(X), watched.transform(X))
    history = watched.history_
    assert history["valid_loss"].notna().all() and len(history) == 3
    assert "valid_reconstruction" in history and "valid_neighbor" not in history
    assert ("valid_kl" in history) == (cls is VAEEmbedder)
    # Recorded for every epoch.
    assert (history["valid_reconstruction"] > 0).all()


@pytest.mark.parametrize(
    ("rows", "error", "match"),
    [
        (np.full((5, 64), np.nan), ValueError, "ValidationLoss X contains NaN"),
        (np.ones((5, 63)), ValueError, "ValidationLoss X has 63 features, but"),
    ],
)
def test_validation_loss_refuses_rows_it_cannot_score(
    digits_and_valid, rows, error, match
):
    # NaN rows would record all-NaN curves; the wrong width a torch error.
    X, _ = digits_and_valid
    est = DenoisingAEEmbedder(**FAST_VALID, callbacks=[ValidationLoss(rows)])
    with pytest.raises(error, match=match):
        est.fit(X)
    assert not hasattr(est, "history_")


def test_validation_loss_refuses_the_estimators_own_validation(digits_and_valid):
    X, X_valid = digits_and_valid
    est = VAEEmbedder(
        **FAST_VALID, early_stopping=True, callbacks=[ValidationLoss(X_valid)]
    )
    with pytest.raises(ValueError, match="early_stopping=True already records"):
        est.fit(X)
