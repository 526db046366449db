"""The neighbour graph: search, fuzzy weights, sampling."""

import numpy as np
import pytest
import torch
from sklearn.datasets import load_digits
from sklearn.neighbors import NearestNeighbors

from aembed import _graph
from aembed._graph import (
    NeighborSampler,
    fuzzy_graph,
    membership_weights,
    nearest_neighbors,
    umap_cross_entropy,
)


def test_neighbours_match_an_exact_search_without_pca():
    X, _ = load_digits(return_X_y=True)
    indices, distances = nearest_neighbors(X[:300], 10, n_pca=None)
    exact = NearestNeighbors(n_neighbors=11).fit(X[:300]).kneighbors(X[:300])
    np.testing.assert_allclose(distances, exact[0][:, 1:])
    assert not (indices == np.arange(300)[:, None]).any()


def test_mostly_duplicate_rows_find_their_copies():
    # Duplicates defeated the earlier k-means cells (one cell held most of
    # the data, searched quadratically); NN-descent finds the copies.
    rng = np.random.default_rng(0)
    X = np.vstack([np.ones((11_000, 4)), rng.normal(size=(1_000, 4))])
    indices, distances = nearest_neighbors(X, 5, exact_below=10_000)
    assert (distances[:11_000] == 0).all()  # a duplicate's neighbours are copies
    assert (indices[:11_000] < 11_000).all()
    assert not (indices == np.arange(12_000)[:, None]).any()


def test_wide_rows_are_ranked_in_bounded_memory(monkeypatch):
    # Candidates are ranked in the full space: 2048 rows of 30 candidates of
    # 5,000 columns were gathered at once (1.2 GB).
    X = np.random.default_rng(0).normal(size=(2100, 5000)).astype(np.float32)
    largest = []
    gather = torch.index_select
    monkeypatch.setattr(
        torch,
        "index_select",
        lambda *args: (lambda out: largest.append(out.numel()) or out)(gather(*args)),
    )
    indices, _ = nearest_neighbors(X, 15)
    assert max(largest) <= _graph._MAX_GATHER
    assert indices.shape == (2100, 15)


def recall(found, exact):
    hits = [len(set(a) & set(e)) for a, e in zip(found, exact, strict=True)]
    return np.sum(hits) / exact.size


def test_pca_candidates_reranked_in_the_full_space():
    X, _ = load_digits(return_X_y=True)
    exact, exact_d = nearest_neighbors(X, 15, n_pca=None)
    # Fifteen neighbours searched in 10 components lose many ...
    coarse, _ = nearest_neighbors(X, 15, n_pca=10, n_candidates=15)
    # ... and re-ranking 45 candidates in the full space wins most back.
    approx, approx_d = nearest_neighbors(X, 15, n_pca=10)
    assert recall(coarse, exact) < 0.85
    assert recall(approx, exact) > recall(coarse, exact) + 0.05
    # Distances are true full-space distances, in increasing order.
    rows = np.arange(len(X))[:, None]
    true = np.linalg.norm(X[approx] - X[rows], axis=2)
    np.testing.assert_allclose(approx_d, true, rtol=1e-5, atol=1e-4)
    assert (np.diff(approx_d, axis=1) >= 0).all()
    assert (approx_d >= exact_d - 1e-4).all()


def test_descent_search_on_many_rows_finds_nearly_all_neighbours():
    rng = np.random.default_rng(0)
    centres = rng.normal(0, 5, (30, 8))
    X = centres[rng.integers(30, size=12_000)] + rng.normal(size=(12_000, 8))
    approx, distances = nearest_neighbors(X, 10, exact_below=5_000)
    assert approx.shape == distances.shape == (12_000, 10)
    assert not (approx == np.arange(12_000)[:, None]).any()
    exact = NearestNeighbors(n_neighbors=11).fit(X).kneighbors(X[:500])[1][:, 1:]
    assert recall(approx[:500], exact) > 0.95
    rows = np.arange(500)[:, None]
    true = np.linalg.norm(X[approx[:500]] - X[rows], axis=2)
    np.testing.assert_allclose(distances[:500], true, rtol=1e-4, atol=1e-4)
    # seeded: the same graph every time
    again, _ = nearest_neighbors(X, 10, exact_below=5_000)
    np.testing.assert_array_equal(approx, again)


def test_fuzzy_weights_follow_umaps_calibration():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5))
    indices, distances = nearest_neighbors(X, 8, n_pca=None)
    graph = fuzzy_graph(indices, distances)
    assert (graph != graph.T).nnz == 0  # symmetric
    assert graph.data.min() > 0 and graph.data.max() <= 1 + 1e-12
    weights = membership_weights(distances)
    np.testing.assert_allclose(weights.sum(axis=1), np.log2(8), rtol=1e-6)
    np.testing.assert_allclose(weights.max(axis=1), 1.0)
    # the fuzzy union of a and b is a + b - ab
    i, j = 0, indices[0, 0]
    a = weights[0, 0]
    b = weights[j][indices[j] == i].sum()
    assert graph[i, j] == pytest.approx(a + b - a * b)


def test_sampler_draws_neighbours_in_proportion_to_weight():
    import scipy.sparse as sp

    graph = sp.csr_matrix(np.array([[0, 1.0, 3.0], [1.0, 0, 0], [3.0, 0, 0]]))
    sampler = NeighborSampler(graph)
    torch.manual_seed(0)
    draws = sampler.sample(torch.zeros(20_000, dtype=torch.long))
    assert set(draws.tolist()) == {1, 2}
    assert (draws == 2).float().mean().item() == pytest.approx(0.75, abs=0.02)
    assert sampler.sample(torch.tensor([1, 2])).tolist() == [0, 0]


def test_cross_entropy_rewards_close_neighbours_and_distant_strangers():
    torch.manual_seed(0)
    heads = torch.randn(64, 2) * 10
    close = umap_cross_entropy(heads, heads + 0.01)
    far = umap_cross_entropy(heads, heads + 5.0)
    assert close < far
    collapsed = umap_cross_entropy(torch.zeros(64, 2), torch.zeros(64, 2))
    assert close < collapsed  # strangers on top of each other are penalised


def test_duplicate_heavy_data_search_only_the_distinct_rows(monkeypatch):
    # 40,000 rows of which 38,000 are one row: NN-descent over all of them
    # ran out of memory; 2,001 distinct rows are searched exactly instead.
    rng = np.random.default_rng(0)
    distinct = rng.normal(size=(2_000, 4))
    X = np.vstack([np.ones((38_000, 4)), distinct])
    order = rng.permutation(len(X))
    X = X[order]

    def no_descent(*args):
        raise AssertionError("NN-descent searched duplicated rows")

    monkeypatch.setattr(_graph, "_descent_search", no_descent)
    indices, distances = nearest_neighbors(X, 5, exact_below=10_000)
    assert not (indices == np.arange(len(X))[:, None]).any()
    copy = order < 38_000
    assert (distances[copy] == 0).all() and copy[indices[copy]].all()
    # The distinct rows' neighbours are the exact ones (their distances).
    exact = NearestNeighbors(n_neighbors=6).fit(X).kneighbors(X[~copy])[0][:, 1:]
    np.testing.assert_allclose(distances[~copy], exact, atol=1e-4)


def test_rows_with_few_copies_find_their_copies_first():
    X, _ = load_digits(return_X_y=True)
    X = np.vstack([X[:200], X[:50], X[:50]])  # 50 rows with two copies each
    indices, distances = nearest_neighbors(X, 4, n_pca=None)
    exact = NearestNeighbors(n_neighbors=5).fit(X).kneighbors(X)[0][:, 1:]
    np.testing.assert_allclose(distances, exact, atol=1e-6)
    assert (distances[:50, :2] == 0).all()
    assert not (indices == np.arange(300)[:, None]).any()
    for row in range(300):  # every distance is the one to the row it names
        d = np.linalg.norm(X[indices[row]] - X[row], axis=1)
        np.testing.assert_allclose(d, distances[row], atol=1e-4)


def test_all_identical_rows_are_each_others_neighbours():
    indices, distances = nearest_neighbors(np.zeros((30, 3)), 5)
    assert (distances == 0).all()
    assert not (indices == np.arange(30)[:, None]).any()
