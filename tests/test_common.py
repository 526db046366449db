"""scikit-learn's common estimator checks, for every exported estimator."""

import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import Pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

from aembed.utils import all_estimators
from conftest import FAST

ESTIMATORS = [cls for _, cls in all_estimators()]


@parametrize_with_checks(
    [cls() for cls in ESTIMATORS]
    # The neighbour mode, guided by its teacher layout (the term alone,
    # teacher_weight=0, has the same interface: tests/test_teacher.py).
    + [cls(neighbor_weight=0.05) for cls in ESTIMATORS]
    # Supervised: a classifier head on the labels the checks pass as y,
    # alone and with the label-aware neighbour graph.
    + [cls(supervision_weight=0.1) for cls in ESTIMATORS]
    + [cls(supervision_weight=0.1, neighbor_weight=0.05) for cls in ESTIMATORS]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_output_shapes_and_dtypes(cls, digits):
    X, _ = digits
    est = cls(n_components=3, **FAST).fit(X)
    Z = est.transform(X)
    assert Z.shape == (300, 3) and Z.dtype == np.float32
    X_back = est.inverse_transform(Z)
    assert X_back.shape == X.shape and X_back.dtype == np.float32
    assert np.isfinite(Z).all() and np.isfinite(X_back).all()


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_identical_calls_give_identical_embeddings(cls, digits):
    X, _ = digits
    Z1 = cls(**FAST).fit_transform(X)
    Z2 = cls(**FAST).fit_transform(X)
    np.testing.assert_array_equal(Z1, Z2)
    Z3 = cls(**{**FAST, "random_state": 1}).fit_transform(X)
    assert not np.array_equal(Z1, Z3)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_pickle_round_trip(cls, digits):
    X, _ = digits
    est = cls(**FAST).fit(X)
    restored = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(est.transform(X), restored.transform(X))
    Z = est.transform(X[:5])
    np.testing.assert_array_equal(
        est.inverse_transform(Z), restored.inverse_transform(Z)
    )


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_clone_of_fitted_is_unfitted_with_equal_params(cls, digits):
    X, _ = digits
    est = cls(**FAST).fit(X)
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert not hasattr(copy, "net_")


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_pandas_output_and_feature_names(cls, digits):
    X, _ = digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    est = cls(**FAST).set_output(transform="pandas").fit(frame)
    out = est.transform(frame)
    prefix = cls.__name__.lower()
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == [f"{prefix}0", f"{prefix}1"]
    assert list(est.get_feature_names_out()) == [f"{prefix}0", f"{prefix}1"]
    assert list(est.feature_names_in_) == list(frame.columns)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_pipeline_with_knn_under_cross_validation(cls, digits):
    X, y = digits
    pipe = Pipeline([("emb", cls(**FAST)), ("knn", KNeighborsClassifier())])
    scores = cross_val_score(pipe, X, y, cv=3)
    assert scores.shape == (3,)
    assert scores.mean() > 0.2  # well above the 0.1 of chance on 10 digits


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_grid_search_without_y(cls, digits):
    X, _ = digits
    search = GridSearchCV(cls(**FAST), {"n_components": [1, 4]}, cv=2).fit(X)
    assert search.best_params_["n_components"] in (1, 4)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
