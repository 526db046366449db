"""Tests of aembed.metrics against hand-computed and independent reference values."""

import math
import time
import warnings

import numpy as np
import pytest
from sklearn.manifold import trustworthiness as sk_trustworthiness
from sklearn.metrics import silhouette_score

from aembed import metrics
from aembed.metrics import (
    _embedding,
    clustering_agreement,
    embedding_scores,
    knn_accuracy,
    per_class_reconstruction,
    psnr,
    reconstruction_mse,
    silhouette,
    timed,
    trustworthiness,
)


@pytest.fixture
def blobs():
    """Three tight, far apart blobs with string labels, 20 points each."""
    rng = np.random.RandomState(0)
    centers = np.array([[0.0, 0.0], [20.0, 0.0], [0.0, 20.0]])
    labels = np.repeat(np.array(["cat", "ant", "bee"]), 20)
    index = np.repeat([0, 1, 2], 20)
    Z = centers[index] + rng.normal(scale=0.5, size=(60, 2))
    return Z, labels


def test_all_names_exist():
    for name in metrics.__all__:
        assert callable(getattr(metrics, name))


# knn_accuracy


def test_knn_accuracy_depends_on_n_neighbors_as_computed_by_hand():
    Z_train = np.array([[0.0], [1.0], [2.0], [10.0], [11.0]])
    y_train = np.array(["a", "a", "a", "b", "b"])
    Z_test = np.array([[9.0], [1.5]])
    y_test = np.array(["b", "a"])
    # 1 neighbour: 9 -> 10 ("b"), 1.5 -> 1 or 2 ("a"): both right.
    assert knn_accuracy(Z_train, y_train, Z_test, y_test, n_neighbors=1) == 1.0
    # 5 neighbours: every test point sees three "a" and two "b".
    assert knn_accuracy(Z_train, y_train, Z_test, y_test, n_neighbors=5) == 0.5


def test_knn_accuracy_fraction():
    Z_train = np.array([[0.0], [0.1], [1.0], [1.1]])
    y_train = [0, 0, 1, 1]
    Z_test = np.array([[0.05], [1.05], [0.9], [0.0]])
    y_test = [0, 1, 0, 1]
    assert knn_accuracy(Z_train, y_train, Z_test, y_test, n_neighbors=1) == 0.5


def test_knn_accuracy_rejects_too_many_neighbors():
    Z = np.zeros((3, 2))
    with pytest.raises(ValueError, match="larger than the number of training"):
        knn_accuracy(Z, [0, 1, 1], Z, [0, 1, 1], n_neighbors=4)


def test_knn_accuracy_rejects_non_positive_neighbors():
    Z = np.zeros((3, 2))
    with pytest.raises(ValueError, match="n_neighbors"):
        knn_accuracy(Z, [0, 1, 1], Z, [0, 1, 1], n_neighbors=0)


def test_knn_accuracy_rejects_mismatched_lengths():
    Z = np.zeros((3, 2))
    with pytest.raises(ValueError, match="y_train has 2 entries"):
        knn_accuracy(Z, [0, 1], Z, [0, 1, 1], n_neighbors=1)
    with pytest.raises(ValueError, match="y_test has 4 entries"):
        knn_accuracy(Z, [0, 1, 1], Z, [0, 1, 1, 0], n_neighbors=1)


def test_knn_accuracy_rejects_different_widths():
    with pytest.raises(ValueError, match="Z_train has 2 features but Z_test has 3"):
        knn_accuracy(np.zeros((3, 2)), [0, 1, 1], np.zeros((3, 3)), [0, 1, 1])


def test_knn_accuracy_rejects_nan():
    Z = np.array([[0.0], [np.nan], [1.0]])
    with pytest.raises(ValueError, match="NaN"):
        knn_accuracy(Z, [0, 1, 1], Z, [0, 1, 1], n_neighbors=1)


@pytest.mark.parametrize("factor", [1e200, 1e-200])
def test_knn_accuracy_ignores_the_scale_of_huge_and_tiny_embeddings(factor):
    # Squared distances of 1e200 overflow to inf and those of 1e-200
    # underflow to 0, which would make every neighbour a tie.
    rng = np.random.RandomState(0)
    Z_train, Z_test = rng.normal(size=(40, 2)), rng.normal(size=(30, 2))
    noise = rng.normal(scale=0.5, size=70)
    y_train, y_test = Z_train[:, 0] > noise[:40], Z_test[:, 0] > noise[40:]
    expected = knn_accuracy(Z_train, y_train, Z_test, y_test, n_neighbors=3)
    assert 0.6 < expected < 1.0
    scaled = knn_accuracy(
        Z_train * factor, y_train, Z_test * factor, y_test, n_neighbors=3
    )
    assert scaled == expected


# trustworthiness


def test_trustworthiness_matches_sklearn_without_subsampling():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(40, 5))
    Z = X[:, :2] + rng.normal(scale=0.3, size=(40, 2))
    expected = sk_trustworthiness(X, Z, n_neighbors=4)
    assert 0.5 < expected < 1.0
    assert trustworthiness(X, Z, n_neighbors=4) == pytest.approx(expected)
    assert trustworthiness(X, Z, n_neighbors=4, max_samples=None) == pytest.approx(
        expected
    )
    assert trustworthiness(X, Z, n_neighbors=4, max_samples=40) == pytest.approx(
        expected
    )


def test_trustworthiness_subsamples_aligned_rows(monkeypatch):
    rng = np.random.RandomState(0)
    # Largest absolute values in [0.5, 1), which the power-of-2 rescaling
    # against overflow leaves exactly as they are.
    X = rng.uniform(-1, 1, size=(100, 3))
    # Row i of Z encodes i, so misaligned X and Z rows would show.
    Z = np.column_stack([np.arange(100) / 100, X[:, 0]])
    seen = []

    def spy(X_sub, Z_sub, n_neighbors):
        seen.append((X_sub, Z_sub))
        return sk_trustworthiness(X_sub, Z_sub, n_neighbors=n_neighbors)

    monkeypatch.setattr(_embedding, "_sk_trustworthiness", spy)
    first = trustworthiness(X, Z, n_neighbors=3, max_samples=25, random_state=1)
    again = trustworthiness(X, Z, n_neighbors=3, max_samples=25, random_state=1)
    other = trustworthiness(X, Z, n_neighbors=3, max_samples=25, random_state=2)

    X_sub, Z_sub = seen[0]
    assert X_sub.shape == (25, 3)
    rows = np.rint(Z_sub[:, 0] * 100).astype(int)
    assert np.unique(rows).size == 25
    np.testing.assert_array_equal(X_sub, X[rows])
    assert first == again
    np.testing.assert_array_equal(seen[0][0], seen[1][0])
    assert not np.array_equal(seen[0][0], seen[2][0])
    assert first == pytest.approx(sk_trustworthiness(X_sub, Z_sub, n_neighbors=3))
    assert other == pytest.approx(sk_trustworthiness(*seen[2], n_neighbors=3))


def test_trustworthiness_uses_every_row_unless_asked_to_subsample(monkeypatch):
    # Above the 5,000 rows embedding_scores keeps for speed: the metric
    # itself gives scikit-learn's number, on every row.
    rng = np.random.RandomState(0)
    X, Z = rng.normal(size=(5003, 3)), rng.normal(size=(5003, 2))
    seen = []

    def spy(X_sub, Z_sub, n_neighbors):
        seen.append(len(X_sub))
        return 0.5

    monkeypatch.setattr(_embedding, "_sk_trustworthiness", spy)
    assert trustworthiness(X, Z) == 0.5
    trustworthiness(X, Z, max_samples=100)
    y = np.arange(5003) % 3
    metrics.embedding_scores(Z[:50], y[:50], Z, y, X_test=X)
    assert seen == [5003, 100, 5000]


def test_trustworthiness_of_identity_is_one_on_subsample():
    X = np.random.RandomState(0).normal(size=(200, 4))
    assert trustworthiness(X, X.copy(), max_samples=50) == pytest.approx(1.0)


def test_trustworthiness_rejects_too_many_neighbors():
    X = np.random.RandomState(0).normal(size=(100, 3))
    with pytest.raises(ValueError, match=r"less than half the number of samples"):
        trustworthiness(X, X, n_neighbors=10, max_samples=20)
    with pytest.raises(ValueError, match=r"less than half"):
        trustworthiness(X[:10], X[:10], n_neighbors=5)


def test_trustworthiness_rejects_mismatched_lengths():
    X = np.zeros((20, 3))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        trustworthiness(X, np.zeros((19, 2)))


def test_trustworthiness_ignores_the_scale_of_huge_and_tiny_data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(20, 6))
    Z = X[:, :2] + rng.normal(scale=0.3, size=(20, 2))
    expected = trustworthiness(X, Z)
    assert 0.5 < expected < 1.0
    assert expected == pytest.approx(sk_trustworthiness(X, Z, n_neighbors=5))
    assert trustworthiness(X * 1e200, Z) == expected
    assert trustworthiness(X, Z * 1e160) == expected
    assert trustworthiness(X * 1e-200, Z * 1e-200) == expected


# silhouette


def test_silhouette_by_hand():
    Z = np.array([[0.0], [1.0], [10.0], [11.0]])
    # Points 0 and 11: a=1, b=10.5; points 1 and 10: a=1, b=9.5.
    expected = (9.5 / 10.5 + 8.5 / 9.5) / 2
    assert silhouette(Z, ["x", "x", "y", "y"]) == pytest.approx(expected)


def test_silhouette_matches_sklearn_and_subsamples(blobs, monkeypatch):
    Z, labels = blobs
    expected = silhouette_score(Z, labels)
    assert silhouette(Z, labels, max_samples=None) == pytest.approx(expected)
    assert silhouette(Z, labels) == pytest.approx(expected)

    shapes = []

    def spy(Z_sub, labels_sub):
        shapes.append((Z_sub.shape, labels_sub.shape))
        return silhouette_score(Z_sub, labels_sub)

    monkeypatch.setattr(_embedding, "silhouette_score", spy)
    score = silhouette(Z, labels, max_samples=30, random_state=0)
    assert shapes == [((30, 2), (30,))]
    # The blobs are tight and far apart, whichever rows are drawn.
    assert score > 0.9
    assert score == silhouette(Z, labels, max_samples=30, random_state=0)


def test_silhouette_rejects_a_single_class():
    Z = np.arange(6.0).reshape(3, 2)
    with pytest.raises(ValueError, match="at least 2 classes"):
        silhouette(Z, [1, 1, 1])


def test_silhouette_rejects_one_class_per_sample():
    Z = np.arange(6.0).reshape(3, 2)
    with pytest.raises(ValueError, match="got 3 classes in 3 samples"):
        silhouette(Z, [0, 1, 2])


def test_silhouette_rejects_mismatched_lengths():
    with pytest.raises(ValueError, match="labels has 3 entries"):
        silhouette(np.zeros((4, 2)), [0, 1, 1])


@pytest.mark.parametrize("factor", [1e200, 1e-200])
def test_silhouette_ignores_the_scale_of_huge_and_tiny_embeddings(blobs, factor):
    Z, labels = blobs
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert silhouette(Z * factor, labels) == pytest.approx(silhouette(Z, labels))


# clustering_agreement


def test_clustering_agreement_perfect_on_separated_blobs(blobs):
    Z, labels = blobs
    scores = clustering_agreement(Z, labels)
    assert set(scores) == {"ari", "nmi"}
    assert scores["ari"] == pytest.approx(1.0)
    assert scores["nmi"] == pytest.approx(1.0)


def test_clustering_agreement_single_cluster_scores_zero(blobs):
    Z, labels = blobs
    # One cluster carries no information about three balanced classes.
    scores = clustering_agreement(Z, labels, n_clusters=1)
    assert scores["ari"] == pytest.approx(0.0)
    assert scores["nmi"] == pytest.approx(0.0)


def test_clustering_agreement_too_few_clusters_is_imperfect(blobs):
    Z, labels = blobs
    scores = clustering_agreement(Z, labels, n_clusters=2)
    assert scores["ari"] < 0.9
    assert scores["nmi"] < 0.9


def test_clustering_agreement_rejects_too_many_clusters():
    with pytest.raises(ValueError, match="n_clusters=5 is larger"):
        clustering_agreement(np.zeros((4, 2)), [0, 0, 1, 1], n_clusters=5)


@pytest.mark.parametrize("factor", [1e200, 1e-200])
def test_clustering_agreement_ignores_the_scale_of_huge_and_tiny_embeddings(factor):
    rng = np.random.RandomState(0)
    Z = rng.normal(size=(60, 2))
    labels = np.repeat([0, 1, 2], 20)
    expected = clustering_agreement(Z, labels)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert clustering_agreement(Z * factor, labels) == expected


@pytest.mark.parametrize(
    "score, name",
    [
        (lambda Z, labels: knn_accuracy(Z, labels, Z, labels), "y_train"),
        (silhouette, "labels"),
        (clustering_agreement, "labels"),
        (lambda Z, labels: per_class_reconstruction(Z, Z, labels), "labels"),
    ],
    ids=["knn_accuracy", "silhouette", "clustering_agreement", "per_class"],
)
def test_label_checks_reject_labels_that_cannot_be_sorted(score, name):
    Z = np.random.RandomState(0).normal(size=(20, 2))
    with pytest.raises(
        TypeError,
        match=rf"^{name} must hold labels of one comparable type .* NoneType, int\.",
    ):
        score(Z, [None, 1] * 10)


@pytest.mark.parametrize(
    "call, name",
    [
        (lambda Z, y: knn_accuracy(Z, y, Z, y, n_neighbors=True), "n_neighbors"),
        (lambda Z, y: trustworthiness(Z, Z, n_neighbors=True), "n_neighbors"),
        (lambda Z, y: trustworthiness(Z, Z, max_samples=True), "max_samples"),
        (lambda Z, y: clustering_agreement(Z, y, n_clusters=True), "n_clusters"),
        (lambda Z, y: embedding_scores(Z, y, Z, y, n_neighbors=True), "n_neighbors"),
    ],
    ids=["knn_accuracy", "trustworthiness", "max_samples", "kmeans", "embedding"],
)
def test_integer_parameters_reject_bools(call, name):
    Z = np.random.RandomState(0).normal(size=(20, 2))
    y = np.arange(20) % 2
    with pytest.raises(TypeError, match=f"{name} must be an integer, got True"):
        call(Z, y)


# reconstruction_mse and psnr


def test_reconstruction_mse_by_hand():
    X = np.array([[0.0, 0.0], [1.0, 2.0]])
    X_hat = np.array([[1.0, 0.0], [1.0, 0.0]])
    # Squared errors 1, 0, 0, 4.
    assert reconstruction_mse(X, X_hat) == pytest.approx(1.25)
    np.testing.assert_allclose(reconstruction_mse(X, X_hat, per_sample=True), [0.5, 2])


def test_reconstruction_mse_does_not_wrap_integers():
    X = np.array([[0, 10]], dtype=np.uint8)
    X_hat = np.array([[255, 0]], dtype=np.uint8)
    assert reconstruction_mse(X, X_hat) == pytest.approx((255**2 + 10**2) / 2)


def test_reconstruction_mse_rejects_different_shapes():
    with pytest.raises(ValueError, match="same shape"):
        reconstruction_mse(np.zeros((3, 2)), np.zeros((3, 3)))


def test_psnr_by_hand():
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    X_hat = np.array([[0.1, 0.9], [1.0, 0.0]])
    # Overall MSE 0.02 / 4 = 0.005; inferred data range 1.
    assert psnr(X, X_hat) == pytest.approx(10 * math.log10(1 / 0.005))
    assert psnr(X, X_hat, data_range=2.0) == pytest.approx(10 * math.log10(4 / 0.005))
    per_row = psnr(X, X_hat, per_sample=True)
    assert per_row.shape == (2,)
    assert per_row[0] == pytest.approx(20.0)
    assert per_row[1] == np.inf


def test_psnr_uses_range_of_reference_only():
    X = np.array([[0.0, 2.0]])
    X_hat = np.array([[10.0, 2.0]])
    # Range 2 from X, not 10 from X_hat; MSE 50.
    assert psnr(X, X_hat) == pytest.approx(10 * math.log10(4 / 50))


def test_psnr_of_identical_arrays_is_inf_without_warnings():
    X = np.array([[0.0, 0.5], [1.0, 0.25]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert psnr(X, X.copy()) == np.inf
        assert np.all(psnr(X, X.copy(), per_sample=True) == np.inf)


def test_psnr_rejects_constant_reference_without_data_range():
    X = np.ones((2, 3))
    with pytest.raises(ValueError, match="X is constant"):
        psnr(X, X + 0.1)
    assert psnr(X, X + 0.1, data_range=1.0) == pytest.approx(20.0)


def test_psnr_rejects_non_positive_data_range():
    X = np.array([[0.0, 1.0]])
    with pytest.raises(ValueError, match="data_range"):
        psnr(X, X, data_range=0)


def test_psnr_of_huge_and_tiny_data_is_finite_and_shifted_by_the_scale():
    X = np.array([[0.0, 1.0], [1.0, 0.0]])
    X_hat = np.array([[0.1, 0.9], [1.0, 0.0]])
    expected = psnr(X, X_hat)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # The inferred data range scales with the data: the PSNR is unchanged.
        assert psnr(X * 1e200, X_hat * 1e200) == pytest.approx(expected)
        assert psnr(X * 1e-200, X_hat * 1e-200) == pytest.approx(expected)
        np.testing.assert_allclose(
            psnr(X * 1e200, X_hat * 1e200, per_sample=True),
            psnr(X, X_hat, per_sample=True),
        )
        # A fixed range: the MSE grows by 1e400, the PSNR drops by 4000 dB.
        assert psnr(X * 1e200, X_hat * 1e200, data_range=1.0) == pytest.approx(
            expected - 4000
        )
        assert psnr(X, X_hat, data_range=1e160) == pytest.approx(expected + 3200)
        # Errors of 1e308 - (-1e308) overflow even before they are squared;
        # the MSE is (4e616 + 0) / 2, so the PSNR is -10 * log10(2e616).
        assert psnr(
            np.array([[1e308, 0.0]]), np.array([[-1e308, 0.0]]), data_range=1.0
        ) == pytest.approx(-10 * (math.log10(2) + 616))


def test_psnr_rejects_a_reference_whose_range_overflows():
    X = np.array([[-1.7e308, 1.7e308]])
    with pytest.raises(ValueError, match=r"X.max\(\) - X.min\(\) overflows float64"):
        psnr(X, np.zeros((1, 2)))
    assert psnr(X, X, data_range=1.0) == np.inf


# per_class_reconstruction


def test_per_class_reconstruction_matches_manual_numpy():
    rng = np.random.RandomState(0)
    X = rng.uniform(size=(30, 4))
    X_hat = X + rng.normal(scale=0.1, size=X.shape)
    labels = rng.choice(["dog", "cat", "eel"], size=30)
    X_hat[labels == "eel"] = X[labels == "eel"]

    table = per_class_reconstruction(X, X_hat, labels)

    assert list(table.index) == ["cat", "dog", "eel"]
    assert list(table.columns) == ["n_samples", "mse", "psnr"]
    data_range = X.max() - X.min()
    for name in ["cat", "dog"]:
        mask = labels == name
        mse = np.mean((X[mask] - X_hat[mask]) ** 2)
        assert table.loc[name, "n_samples"] == mask.sum()
        assert table.loc[name, "mse"] == pytest.approx(mse)
        assert table.loc[name, "psnr"] == pytest.approx(
            10 * np.log10(data_range**2 / mse)
        )
    assert table.loc["eel", "mse"] == 0.0
    assert table.loc["eel", "psnr"] == np.inf


def test_per_class_reconstruction_shares_data_range():
    X = np.array([[0.0, 0.0], [0.0, 10.0]])
    X_hat = np.array([[1.0, 0.0], [0.0, 9.0]])
    # Class 0 alone is constant: its PSNR must use the range 10 of all of X.
    table = per_class_reconstruction(X, X_hat, [0, 1])
    np.testing.assert_allclose(table["psnr"], 10 * np.log10(100 / 0.5))
    table = per_class_reconstruction(X, X_hat, [0, 1], data_range=1.0)
    np.testing.assert_allclose(table["psnr"], 10 * np.log10(1 / 0.5))


def test_per_class_reconstruction_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="labels has 2 entries"):
        per_class_reconstruction(np.zeros((3, 2)), np.zeros((3, 2)), [0, 1])


def test_per_class_reconstruction_of_huge_data_has_finite_psnr():
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    X_hat = np.array([[0.1, 0.9], [1.0, 0.0], [0.0, 1.0]])
    expected = per_class_reconstruction(X, X_hat, ["a", "a", "b"])["psnr"]
    with warnings.catch_warnings():
        # The mse column itself overflows to inf.
        warnings.simplefilter("ignore", RuntimeWarning)
        table = per_class_reconstruction(X * 1e200, X_hat * 1e200, ["a", "a", "b"])
    np.testing.assert_allclose(table["psnr"], expected)


def test_per_class_reconstruction_rejects_a_reference_whose_range_overflows():
    X = np.array([[-1.7e308, 1.7e308], [0.0, 0.0]])
    with pytest.raises(ValueError, match="overflows float64"):
        per_class_reconstruction(X, X, [0, 1])


# embedding_scores and timed


def test_embedding_scores_agrees_with_individual_metrics(blobs):
    Z, labels = blobs
    rng = np.random.RandomState(1)
    train = rng.permutation(60)[:40]
    test = np.setdiff1d(np.arange(60), train)
    X_test = np.column_stack([Z[test], rng.normal(size=(20, 3))])

    scores = embedding_scores(
        Z[train], labels[train], Z[test], labels[test], X_test=X_test, n_neighbors=3
    )

    assert set(scores) == {
        "knn_accuracy",
        "trustworthiness",
        "silhouette",
        "ari",
        "nmi",
    }
    assert scores["knn_accuracy"] == knn_accuracy(
        Z[train], labels[train], Z[test], labels[test], n_neighbors=3
    )
    assert scores["trustworthiness"] == pytest.approx(
        sk_trustworthiness(X_test, Z[test], n_neighbors=3)
    )
    assert scores["silhouette"] == pytest.approx(
        silhouette_score(Z[test], labels[test])
    )
    assert scores["ari"] == pytest.approx(1.0)
    assert scores["nmi"] == pytest.approx(1.0)


def test_embedding_scores_without_inputs_has_nan_trustworthiness(blobs):
    Z, labels = blobs
    scores = embedding_scores(Z[::2], labels[::2], Z[1::2], labels[1::2])
    assert math.isnan(scores["trustworthiness"])
    assert not math.isnan(scores["silhouette"])


def test_timed_returns_result_and_duration():
    result, seconds = timed(lambda a, *, b: a + b, 2, b=3)
    assert result == 5
    _, slept = timed(time.sleep, 0.02)
    assert 0.02 <= slept < 5


def test_metrics_take_torch_tensors(blobs):
    torch = pytest.importorskip("torch")
    Z, labels = blobs
    Zt = torch.tensor(Z, dtype=torch.float32).requires_grad_()
    Z32 = Z.astype(np.float32)
    assert silhouette(Zt, labels) == silhouette(Z32, labels)
    assert trustworthiness(Zt, Zt.bfloat16()) == trustworthiness(
        Z32, torch.tensor(Z32).bfloat16().float().numpy()
    )
    assert reconstruction_mse(Zt, Zt * 2) == reconstruction_mse(Z32, Z32 * 2)
    assert knn_accuracy(Zt, labels, Zt, labels) == knn_accuracy(
        Z32, labels, Z32, labels
    )
