"""The training callbacks: ValidationLoss watches without changing the model."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder
from aembed.callbacks import ValidationLoss

FAST = dict(max_epochs=3, hidden_layer_sizes=(32,), random_state=0)


@pytest.fixture(scope="module")
def digits():
    X, _ = load_digits(return_X_y=True)
    return X[:300], X[300:360]


@pytest.mark.parametrize("cls", [DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder])
@pytest.mark.parametrize("neighbor_weight", [0.0, 1.0])
def test_validation_loss_leaves_the_model_as_without_it(digits, cls, neighbor_weight):
    X, X_valid = digits
    plain = cls(**FAST, neighbor_weight=neighbor_weight).fit(X)
    watched = cls(
        **FAST, neighbor_weight=neighbor_weight, callbacks=[ValidationLoss(X_valid)]
    ).fit(X)
    np.testing.assert_array_equal(plain.transform(X), watched.transform(X))
    history = watched.history_
    assert history["valid_loss"].notna().all() and len(history) == 3
    assert "valid_reconstruction" in history and "valid_neighbor" not in history
    assert ("valid_kl" in history) == (cls is VAEEmbedder)
    # Recorded for every epoch.
    assert (history["valid_reconstruction"] > 0).all()


def test_validation_loss_refuses_the_estimators_own_validation(digits):
    X, X_valid = digits
    est = VAEEmbedder(**FAST, early_stopping=True, callbacks=[ValidationLoss(X_valid)])
    with pytest.raises(ValueError, match="early_stopping=True already records"):
        est.fit(X)
