"""Supervised and semi-supervised fits: supervision_weight, y with -1."""

import os

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.metrics import silhouette_score

from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder, load
from aembed._graph import label_intersection, neighbor_graph
from conftest import FAST

ESTIMATORS = [DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder]
SUPERVISED = dict(FAST, supervision_weight=0.1)


@pytest.fixture(scope="module")
def labelled_digits():
    """600 digits in [0, 1], their labels, and the labels with 5 per class kept."""
    X, y = load_digits(return_X_y=True)
    X, y = (X[:600] / 16).astype(np.float32), y[:600]
    partial = np.full_like(y, -1)
    for c in range(10):
        partial[np.flatnonzero(y == c)[:5]] = c
    return X, y, partial


def test_default_ignores_y(labelled_digits):
    X, y, _ = labelled_digits
    plain = DenoisingAEEmbedder(**FAST).fit(X)
    with_y = DenoisingAEEmbedder(**FAST).fit(X, y)
    np.testing.assert_array_equal(plain.transform(X), with_y.transform(X))
    assert not hasattr(with_y, "classes_")
    assert with_y.net_.module_.head is None


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_labels_separate_the_classes(cls, labelled_digits):
    # Every label, trained long enough for the head to matter: the classes
    # are further apart than without labels.
    X, y, _ = labelled_digits
    settings = dict(FAST, max_epochs=15)
    plain = cls(**settings).fit(X)
    supervised = cls(**settings, supervision_weight=1.0).fit(X, y)
    assert list(supervised.classes_) == list(range(10))
    history = supervised.history_["train_supervision"]
    assert history.iloc[-1] < 0.8 * history.iloc[0]  # the head learns
    before = silhouette_score(plain.transform(X), y)
    after = silhouette_score(supervised.transform(X), y)
    assert after > before + 0.1


def test_head_reads_the_embedding(labelled_digits):
    import torch

    X, y, _ = labelled_digits
    est = VAEEmbedder(**SUPERVISED).fit(X, y)
    module = est.net_.module_
    x = torch.from_numpy(X[:5])
    out = module(x, labelled=x)
    # The head's logits are those of the posterior mean, transform's output.
    expected = module.head(torch.from_numpy(est.transform(X[:5])))
    torch.testing.assert_close(out["logits"], expected)
    assert est.transform(X).shape == (600, 2)


def test_unlabelled_rows_are_no_class(labelled_digits):
    X, y, partial = labelled_digits
    a = DenoisingAEEmbedder(**SUPERVISED).fit(X, partial)
    assert list(a.classes_) == list(range(10))  # -1 is not a class
    every = DenoisingAEEmbedder(**SUPERVISED).fit(X, y)
    assert not np.array_equal(a.transform(X), every.transform(X))
    # ... and the labels of the labelled rows are what it learns from.
    shuffled = partial.copy()
    rows = np.flatnonzero(partial != -1)
    shuffled[rows] = np.random.default_rng(0).permutation(partial[rows])
    c = DenoisingAEEmbedder(**SUPERVISED).fit(X, shuffled)
    assert not np.array_equal(a.transform(X), c.transform(X))


def test_string_labels_and_none_for_unlabelled(labelled_digits):
    X, _, partial = labelled_digits
    names = np.array(["zero", "one", "two", "three", "four"] * 2, dtype=object)
    strings = np.array(
        [None if c == -1 else names[c] + str(c // 5) for c in partial], dtype=object
    )
    est = DenoisingAEEmbedder(**SUPERVISED).fit(X, strings)
    assert sorted(est.classes_) == list(est.classes_)
    assert len(est.classes_) == 10 and "zero0" in est.classes_
    # The same labels as integers give the same model: only the codes count.
    codes = np.array(
        [-1 if s is None else list(est.classes_).index(s) for s in strings]
    )
    same = DenoisingAEEmbedder(**SUPERVISED).fit(X, codes)
    np.testing.assert_array_equal(est.transform(X), same.transform(X))


def test_nan_marks_unlabelled_in_float_labels(labelled_digits):
    X, _, partial = labelled_digits
    floats = np.where(partial == -1, np.nan, partial).astype(float)
    a = DenoisingAEEmbedder(**SUPERVISED).fit(X, floats)
    b = DenoisingAEEmbedder(**SUPERVISED).fit(X, partial)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))


def test_partial_fit_learns_from_labels_and_refuses_new_ones(labelled_digits):
    X, y, _ = labelled_digits
    est = DenoisingAEEmbedder(**SUPERVISED)
    est.partial_fit(X[:300], y[:300])
    est.partial_fit(X[300:], y[300:])
    assert "train_supervision" in est.history_
    unseen = y[300:].copy()
    unseen[0] = 42
    with pytest.raises(ValueError, match=r"did not see: \[42\]"):
        est.partial_fit(X[300:], unseen)
    assert est.n_iter_ == 2  # the refused block left the model as it was


def test_partial_fit_after_an_unlabelled_first_block_is_refused(labelled_digits):
    X, y, _ = labelled_digits
    est = DenoisingAEEmbedder(**SUPERVISED)
    with pytest.warns(UserWarning, match="no row of y is labelled"):
        est.partial_fit(X[:300])
    with pytest.raises(ValueError, match="no classifier head"):
        est.partial_fit(X[300:], y[300:])


def test_all_unlabelled_warns_and_trains_unsupervised(labelled_digits):
    X, _, _ = labelled_digits
    with pytest.warns(UserWarning, match="no row of y is labelled"):
        est = DenoisingAEEmbedder(**SUPERVISED).fit(X, np.full(len(X), -1))
    assert not hasattr(est, "classes_")
    assert "train_supervision" not in est.history_
    plain = DenoisingAEEmbedder(**FAST).fit(X)
    np.testing.assert_array_equal(est.transform(X), plain.transform(X))


def test_refit_without_labels_drops_the_head(labelled_digits):
    X, y, _ = labelled_digits
    est = DenoisingAEEmbedder(**SUPERVISED).fit(X, y)
    est.set_params(supervision_weight=0.0).fit(X)
    assert not hasattr(est, "classes_") and est.net_.module_.head is None


@pytest.mark.parametrize(
    "y, match",
    [
        (np.zeros(10), "y has 10 labels but X has 600 rows"),
        (np.r_[np.zeros(5), np.full(595, -1)], "1 class"),
        (np.linspace(0, 1, 600), "continuous"),
        (np.zeros((600, 2)), "one class label per row"),
        (np.r_[np.inf, np.zeros(599)], "infinite"),
        (np.array(["a", 1] * 300, dtype=object), "cannot be ordered"),
    ],
)
def test_bad_labels_are_refused(labelled_digits, y, match):
    X, _, _ = labelled_digits
    with pytest.raises(ValueError, match=match):
        DenoisingAEEmbedder(**SUPERVISED).fit(X, y)


def test_bad_labels_are_ignored_without_supervision(labelled_digits):
    X, _, _ = labelled_digits
    DenoisingAEEmbedder(**FAST).fit(X, np.linspace(0, 1, 600))


def test_out_of_core_data_are_refused_with_labels(
    labelled_digits, tmp_path, monkeypatch
):
    import aembed._streaming as streaming

    monkeypatch.setattr(streaming, "STREAM_ABOVE_BYTES", 0)
    X, y, _ = labelled_digits
    path = os.path.join(tmp_path, "X.npy")
    np.save(path, X)
    rows = np.load(path, mmap_mode="r")
    with pytest.raises(ValueError, match="in memory"):
        DenoisingAEEmbedder(**SUPERVISED).fit(rows, y)


def test_early_stopping_splits_the_labels_with_the_rows(labelled_digits):
    X, y, partial = labelled_digits
    est = DenoisingAEEmbedder(**SUPERVISED, early_stopping=True).fit(X, partial)
    assert "train_supervision" in est.history_
    assert "valid_supervision" not in est.history_  # validation: the objective


def test_saved_model_keeps_its_head_and_classes(labelled_digits, tmp_path):
    X, _, _ = labelled_digits
    strings = np.array(list("abcdefghij"), dtype=object)[np.arange(600) % 10]
    est = VAEEmbedder(**SUPERVISED).fit(X, strings)
    path = os.path.join(tmp_path, "model.aembed")
    est.save(path)
    loaded = load(path)
    assert list(loaded.classes_) == list("abcdefghij")
    np.testing.assert_array_equal(loaded.transform(X), est.transform(X))
    # It continues training with its head, on the same classes.
    loaded.partial_fit(X, strings)
    assert "train_supervision" in loaded.history_


def test_augment_transforms_the_rows_the_head_reads(labelled_digits):
    X, y, _ = labelled_digits
    plain = DenoisingAEEmbedder(**SUPERVISED).fit(X, y)
    augmented = DenoisingAEEmbedder(**SUPERVISED, augment=(8, 8)).fit(X, y)
    assert not np.array_equal(plain.transform(X), augmented.transform(X))
    # Without labels (and without the neighbour term) augment is inert.
    a = DenoisingAEEmbedder(**FAST).fit(X)
    b = DenoisingAEEmbedder(**FAST, augment=(8, 8)).fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))


def test_with_the_neighbour_term(labelled_digits):
    X, y, partial = labelled_digits
    est = DenoisingAEEmbedder(**SUPERVISED, neighbor_weight=0.5).fit(X, partial)
    assert {"train_neighbor", "train_supervision"} <= set(est.history_)


def test_label_intersection_is_umap_learns():
    umap_ = pytest.importorskip("umap.umap_")
    rng = np.random.default_rng(0)
    graph = neighbor_graph(rng.normal(size=(200, 5)), 10)
    labels = rng.integers(-1, 3, size=200)
    ours = label_intersection(graph, labels)
    theirs = umap_.discrete_metric_simplicial_set_intersection(
        graph.tocoo(copy=True), labels, far_dist=5.0
    )
    assert abs(ours - sp.csr_matrix(theirs)).max() < 1e-12
    # Cross-label edges lost weight, edges of one label kept theirs.
    assert ours.nnz == graph.nnz
