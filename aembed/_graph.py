"""UMAP's fuzzy neighbour graph of the training rows, and its loss.

The graph follows McInnes, Healy and Melville (2018): each row's k nearest
neighbours get membership weights ``exp(-(d - rho) / sigma)``, with ``rho``
the distance to the nearest neighbour and ``sigma`` set so that the weights
sum to ``log2(k)``; the directed weights ``A`` are symmetrised by the fuzzy
union ``A + A.T - A * A.T``. Neighbours are searched exactly, in the space of
the first ``n_pca`` principal components when the data are wider than that,
which keeps the search cheap and its memory linear in the rows.
"""

import warnings

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.decomposition import PCA
from sklearn.neighbors import NearestNeighbors

# UMAP's curve 1 / (1 + a d^(2b)) fitted to its default min_dist=0.1, spread=1.
UMAP_A, UMAP_B = 1.5769, 0.8951


def nearest_neighbors(X, n_neighbors, *, n_pca=50, random_state=0):
    """Indices and distances of each row's ``n_neighbors`` nearest other rows.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Rows to connect.
    n_neighbors : int
        Neighbours per row (the row itself excluded).
    n_pca : int or None, default=50
        Search in this many principal components when ``X`` is wider; None
        searches in the full space.
    random_state : int, default=0
        Seed of the randomised PCA.

    Returns
    -------
    indices, distances : ndarray of shape (n_samples, n_neighbors)
    """
    if n_pca is not None and X.shape[1] > n_pca and X.shape[0] > n_pca:
        X = PCA(
            n_pca, svd_solver="randomized", random_state=random_state
        ).fit_transform(X)
    k = min(n_neighbors, X.shape[0] - 1)
    nn = NearestNeighbors(n_neighbors=k + 1).fit(X)
    distances, indices = nn.kneighbors(X)
    # Drop each row itself (duplicates may put it second: drop by identity).
    own = indices == np.arange(len(X))[:, None]
    own[own.sum(axis=1) == 0, -1] = True
    keep = ~own
    return (
        indices[keep].reshape(len(X), k),
        distances[keep].reshape(len(X), k).astype(np.float64),
    )


def membership_weights(distances, *, n_iter=64):
    """Each row's directed membership weights to its neighbours.

    ``exp(-(d - rho) / sigma)``: 1 for the nearest neighbour, and ``sigma``
    found by bisection so that a row's weights sum to ``log2(k)``.
    """
    n, k = distances.shape
    positive = np.where(distances > 0, distances, np.inf)
    rho = np.where(np.isfinite(positive.min(axis=1)), positive.min(axis=1), 0.0)
    excess = np.maximum(distances - rho[:, None], 0.0)
    target = np.log2(k) if k > 1 else 1.0
    low, high = np.zeros(n), np.full(n, np.inf)
    sigma = np.ones(n)
    for _ in range(n_iter):
        total = np.exp(-excess / sigma[:, None]).sum(axis=1)
        too_big = total > target
        high = np.where(too_big, sigma, high)
        low = np.where(too_big, low, sigma)
        sigma = np.where(np.isinf(high), sigma * 2, (low + high) / 2)
    # As in UMAP, keep sigma from collapsing to zero on duplicated rows.
    sigma = np.maximum(sigma, 1e-3 * excess.mean(axis=1).clip(1e-12))
    return np.exp(-excess / sigma[:, None])


def fuzzy_graph(indices, distances, *, n_iter=64):
    """UMAP's symmetric fuzzy membership graph as a CSR matrix.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [2.0], [10.0]])
    >>> graph = fuzzy_graph(*nearest_neighbors(X, 2, n_pca=None))
    >>> graph.shape, bool((graph != graph.T).nnz == 0)
    ((4, 4), True)
    """
    n, k = indices.shape
    weights = membership_weights(distances, n_iter=n_iter)
    directed = sp.csr_matrix(
        (weights.ravel(), indices.ravel(), np.arange(0, n * k + 1, k)), shape=(n, n)
    )
    product = directed.multiply(directed.T)
    return (directed + directed.T - product).tocsr()


class NeighborSampler:
    """Draw one graph neighbour per row, with probability ∝ edge weight.

    Holds the CSR arrays as tensors; sampling is a vectorised binary search
    in the cumulative weights, O(batch · log(edges)), on the given device.
    """

    def __init__(self, graph, device="cpu"):
        self.device = torch.device(device)
        graph = graph.tocsr()
        graph.sort_indices()
        weights = torch.as_tensor(graph.data, dtype=torch.float64)
        self.indices = torch.as_tensor(graph.indices, dtype=torch.long, device=device)
        self.cumulative = torch.cumsum(weights, 0).to(device)
        indptr = torch.as_tensor(graph.indptr, dtype=torch.long)
        starts = torch.cat(
            [torch.zeros(1, dtype=torch.float64), torch.cumsum(weights, 0)]
        )
        self.row_start = starts[indptr[:-1]].to(device)
        self.row_total = (starts[indptr[1:]] - starts[indptr[:-1]]).to(device)
        self.row_end = indptr[1:].to(device)

    def sample(self, rows):
        """Neighbour indices for ``rows`` (a row with no edge gets itself)."""
        u = torch.rand(len(rows), dtype=torch.float64, device=rows.device)
        target = self.row_start[rows] + u * self.row_total[rows]
        position = torch.searchsorted(self.cumulative, target, right=True)
        position = torch.minimum(position, self.row_end[rows] - 1)
        neighbors = self.indices[position.clamp(min=0)]
        return torch.where(self.row_total[rows] > 0, neighbors, rows)


def neighbor_graph(X, n_neighbors, *, random_state=0):
    """UMAP's fuzzy graph of the rows of ``X``, neighbours found as above.

    Examples
    --------
    >>> import numpy as np
    >>> graph = neighbor_graph(np.random.default_rng(0).normal(size=(50, 3)), 5)
    >>> graph.shape
    (50, 50)
    """
    indices, distances = nearest_neighbors(X, n_neighbors, random_state=random_state)
    return fuzzy_graph(indices, distances)


def spectral_layout(graph, n_components, *, random_state=0):
    """The graph's spectral embedding, each axis scaled to unit variance.

    UMAP starts its layout here. Falls back to random Gaussian coordinates
    when the graph is too small for the eigensolver.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(60, 4))
    >>> layout = spectral_layout(neighbor_graph(X, 5), 2)
    >>> layout.shape, np.allclose(layout.std(axis=0), 1)
    ((60, 2), True)
    """
    from sklearn.manifold import spectral_embedding

    n = graph.shape[0]
    layout = None
    if n > n_components + 2:
        with warnings.catch_warnings():
            # A graph of several components still has a usable embedding.
            warnings.simplefilter("ignore", UserWarning)
            try:
                layout = spectral_embedding(
                    graph, n_components=n_components, random_state=random_state
                )
            except (ValueError, np.linalg.LinAlgError, RuntimeError):
                layout = None
    if layout is None or not np.isfinite(layout).all():
        layout = np.random.default_rng(random_state).normal(size=(n, n_components))
    layout = layout - layout.mean(axis=0)
    std = layout.std(axis=0)
    return layout / np.where(std > 0, std, 1.0)


def umap_cross_entropy(z_head, z_tail, *, n_negatives=5, scale=1.0, eps=1e-4):
    """UMAP's fuzzy cross-entropy for a batch of sampled edges.

    Row ``i`` of ``z_head`` and ``z_tail`` are the two ends of a sampled edge
    (membership 1), which attract. Every other pair ``(head i, tail j)`` of
    the batch stands for a non-edge (membership 0): the batch's tails are the
    negative samples, weighted so that each edge carries ``n_negatives``
    negative samples' worth of repulsion, as in UMAP. Using all pairs rather
    than a few drawn ones costs a ``(batch, batch)`` distance matrix in the
    embedding dimension, little next to the encoder, and cuts the variance of
    the repulsion.

    Low-dimensional similarity is UMAP's ``1 / (1 + a (scale d)^(2b))``, with
    ``a`` and ``b`` fitted to its defaults ``min_dist=0.1``, ``spread=1``;
    ``scale`` shrinks the whole layout by that factor.

    Parameters
    ----------
    z_head, z_tail : torch.Tensor of shape (n_edges, n_components)
        Embeddings of the two ends of each sampled edge.
    n_negatives : float, default=5
        Weight of the repulsion, in negative samples per edge.
    scale : float, default=1.0
        Factor applied to distances before the similarity.
    eps : float, default=1e-4
        Floor of the similarities inside the logarithms.

    Returns
    -------
    loss : torch.Tensor
        Mean attraction per edge plus ``n_negatives`` times the mean
        repulsion per non-edge pair.

    Examples
    --------
    >>> import torch
    >>> z = torch.randn(32, 2) * 10
    >>> bool(umap_cross_entropy(z, z + 0.01) < umap_cross_entropy(z, z + 5.0))
    True
    """
    sq_head = z_head.pow(2).sum(1)
    sq_tail = z_tail.pow(2).sum(1)
    d2 = (sq_head[:, None] + sq_tail[None, :] - 2.0 * z_head @ z_tail.T).clamp(min=0)
    # The small offset keeps the gradient of d^(2b) finite at d = 0.
    smooth = UMAP_A * (d2 * scale**2 + 1e-8).pow(UMAP_B)
    positive = torch.eye(len(z_head), dtype=torch.bool, device=z_head.device)
    # -log q for edges, -log(1 - q) for non-edges, q = 1 / (1 + smooth).
    attraction = torch.log1p(smooth[positive])
    q = 1.0 / (1.0 + smooth[~positive])
    repulsion = -torch.log((1.0 - q).clamp(min=eps))
    loss = attraction.mean()
    if repulsion.numel():
        loss = loss + n_negatives * repulsion.mean()
    return loss
