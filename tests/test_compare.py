"""compare(): methods, fairness, warm-up, progress and labels, on tiny data."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.model_selection import train_test_split

from aembed import metrics
from aembed.compare import (
    NEIGHBOR_WEIGHT,
    _compare,
    _fitting,
    _methods,
    available_methods,
    common_scaling,
    compare,
    default_methods,
    make_method,
    per_class,
    summary,
)


@pytest.fixture(scope="module")
def split():
    X, y = load_digits(return_X_y=True)
    return train_test_split(X[:400] / 16, y[:400], random_state=0, stratify=y[:400])


def test_default_methods_include_the_neighbour_variants_and_umap():
    defaults = default_methods()
    assert defaults[:5] == ["dae", "vae", "vqvae", "pca", "tsne"]
    assert defaults[-3:] == ["dae-nb", "vae-nb", "vqvae-nb"]
    assert ("umap" in defaults) == ("umap" in available_methods())
    assert "opentsne" not in defaults
    assert set(defaults) <= set(available_methods())
    assert make_method("vae-nb").neighbor_weight == NEIGHBOR_WEIGHT == 1.0


def test_unknown_method_is_named(split):
    X_tr, X_te, y_tr, y_te = split
    with pytest.raises(ValueError, match=r"Unknown method\(s\) 'lle'"):
        compare(X_tr, y_tr, X_te, y_te, methods=["pca", "lle"])
    with pytest.raises(ValueError, match="Unknown method 'lle'"):
        make_method("lle")


def test_compare_scores_match_the_metrics_module(split):
    X_tr, X_te, y_tr, y_te = split
    results, fitted = compare(
        X_tr,
        y_tr,
        X_te,
        y_te,
        methods=["pca", "dae", "tsne"],
        max_epochs=3,
        return_fitted=True,
    )
    assert list(results.columns) == ["method", "evaluation", "class", "metric", "value"]
    table = summary(results)
    assert list(table.index) == ["pca", "dae", "tsne"]
    assert table.loc["tsne", "evaluation"] == "transductive"
    assert np.isnan(table.loc["tsne", "mse"]) and np.isnan(table.loc["tsne", "psnr"])

    pca = fitted["pca"]
    expected_knn = metrics.knn_accuracy(pca.Z_train, y_tr, pca.Z_test, y_te)
    assert table.loc["pca", "knn_accuracy"] == pytest.approx(expected_knn)
    X_rec = pca.estimator.inverse_transform(pca.estimator.transform(X_te))
    assert table.loc["pca", "mse"] == pytest.approx(np.mean((X_te - X_rec) ** 2))

    classes = per_class(results)
    assert set(classes["method"]) == {"pca", "dae"}
    assert len(classes) == 2 * 10
    dae_rows = classes[classes["method"] == "dae"]
    weights = np.bincount(y_te)
    overall = np.average(
        dae_rows["mse"], weights=weights[dae_rows["class"].astype(int)]
    )
    assert overall == pytest.approx(table.loc["dae", "mse"], rel=1e-5)


def test_an_empty_method_list_is_refused(split):
    X_tr, X_te, y_tr, y_te = split
    with pytest.raises(ValueError, match="methods is empty"):
        compare(X_tr, y_tr, X_te, y_te, methods=[])


@pytest.fixture
def no_fitting(monkeypatch):
    def fit_method(*args, **kwargs):
        raise AssertionError("a method was fitted before the error")

    monkeypatch.setattr(_fitting, "fit_method", fit_method)


def test_misuse_is_refused_before_any_fitting(split, monkeypatch, no_fitting):
    X_tr, X_te, y_tr, y_te = split
    with pytest.raises(ValueError, match="'pca' more than once"):
        compare(X_tr, y_tr, X_te, y_te, methods=["pca", "dae", "pca"])
    with pytest.raises(ValueError, match="n_components=65 is more than PCA"):
        compare(X_tr, y_tr, X_te, y_te, methods=["dae", "pca"], n_components=65)
    real = _methods._importable
    monkeypatch.setattr(_methods, "_importable", lambda m: m != "openTSNE" and real(m))
    with pytest.raises(ImportError, match=r"pip install 'aembed\[opentsne\]'"):
        compare(X_tr, y_tr, X_te, y_te, methods=["pca", "opentsne"])


def test_every_method_sees_the_same_standardised_input():
    rng = np.random.default_rng(0)
    # One column in thousands would otherwise dominate PCA and the MSE.
    X = rng.normal(size=(200, 4)) * [1.0, 1.0, 1.0, 1000.0]
    y = (X[:, 0] > 0).astype(int)
    X_tr, X_te, y_tr, y_te = X[:150], X[150:], y[:150], y[150:]
    results, fitted = compare(
        X_tr, y_tr, X_te, y_te, methods=["pca"], return_fitted=True, warm_up=False
    )
    S_tr, S_te, (mode, offset, scale) = common_scaling(X_tr, X_te)
    assert mode == "standard"
    expected = PCA(2, random_state=0).fit(S_tr).transform(S_te)
    np.testing.assert_allclose(fitted["pca"].Z_test, expected, rtol=1e-4, atol=1e-5)
    table = summary(results)
    X_rec = PCA(2, random_state=0).fit(S_tr)
    mse = np.mean((S_te - X_rec.inverse_transform(X_rec.transform(S_te))) ** 2)
    assert table.loc["pca", "mse"] == pytest.approx(mse, rel=1e-4)
    assert np.isnan(table.loc["pca", "psnr"])  # a table has no peak signal


def test_psnr_only_for_a_known_range(split):
    X_tr, X_te, y_tr, y_te = split
    pixels = summary(compare(X_tr, y_tr, X_te, y_te, methods=["pca"]))
    assert pixels.loc["pca", "psnr"] > 0  # digits / 16 lie within [0, 1]
    none = summary(compare(X_tr, y_tr, X_te, y_te, methods=["pca"], data_range=None))
    assert np.isnan(none.loc["pca", "psnr"])


def test_each_method_is_warmed_up_and_the_results_do_not_change(split, monkeypatch):
    X_tr, X_te, y_tr, y_te = split
    calls = []
    real = _compare.warm_up_methods

    def spy(methods, X, **kwargs):
        calls.append((list(methods), len(X)))
        return real(methods, X, **kwargs)

    monkeypatch.setattr(_compare, "warm_up_methods", spy)
    kwargs = dict(methods=["dae", "pca"], max_epochs=2)
    warm = compare(X_tr, y_tr, X_te, y_te, **kwargs)
    assert calls == [(["dae", "pca"], len(X_tr))]
    cold = compare(X_tr, y_tr, X_te, y_te, warm_up=False, **kwargs)
    assert len(calls) == 1
    scores = ~warm["metric"].str.endswith("_time")
    np.testing.assert_allclose(warm[scores]["value"], cold[scores]["value"])


def test_a_progress_bar_over_methods_and_epochs(split, capsys):
    X_tr, X_te, y_tr, y_te = split
    compare(X_tr, y_tr, X_te, y_te, methods=["dae", "pca"], max_epochs=3, verbose=1)
    err = capsys.readouterr().err
    assert "aembed compare" in err and "4/4" in err  # 3 epochs + 1 for PCA
    assert "[aembed] fitting" not in err


def test_string_labels_work_end_to_end(split):
    X_tr, X_te, y_tr, y_te = split
    names = np.array([f"digit {d}" for d in range(10)])
    results = compare(X_tr, names[y_tr], X_te, names[y_te], methods=["pca"])
    classes = per_class(results)
    assert set(classes["class"]) == set(names)
