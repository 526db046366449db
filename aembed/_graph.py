"""UMAP's fuzzy neighbour graph of the training rows, and its loss.

The graph follows McInnes, Healy and Melville (2018): each row's k nearest
neighbours get membership weights ``exp(-(d - rho) / sigma)``, with ``rho``
the distance to the nearest neighbour and ``sigma`` set so that the weights
sum to ``log2(k)``; the directed weights ``A`` are symmetrised by the fuzzy
union ``A + A.T - A * A.T``. Below ``exact_below`` rows the neighbours are
searched exactly, in the first ``n_pca`` principal components when the data
are wider than that, and ranked by their distance in the full space; above,
by NN-descent (:mod:`pynndescent`, the search umap-learn runs) in the full
space, whose memory grows with the number of rows.
"""

import numpy as np
import scipy.sparse as sp
import torch

from .nn._random import drawing_from_stream, rand_like, random_stream

# UMAP's curve 1 / (1 + a d^(2b)) fitted to its default min_dist=0.1, spread=1.
UMAP_A, UMAP_B = 1.5769, 0.8951
# The most candidate coordinates a ranking gathers at once (256 MiB): wide
# rows (thousands of genes, say) take fewer rows per block.
_MAX_GATHER = 2**26


def nearest_neighbors(
    X,
    n_neighbors,
    *,
    n_pca=50,
    n_candidates=None,
    exact_below=10_000,
    random_state=0,
):
    """Indices and distances of each row's ``n_neighbors`` nearest other rows.

    Below ``exact_below`` rows the search is exact: rows wider than
    ``n_pca`` are projected on their principal components, ``n_candidates``
    neighbours are found there by brute force and ranked by their distance
    in the full space, so only neighbours the principal components miss are
    lost. Above, NN-descent (:class:`pynndescent.NNDescent`, with the
    settings umap-learn uses) searches the full space approximately; its
    time grows little faster than the number of rows and its memory with it.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        Rows to connect.
    n_neighbors : int
        Neighbours per row (the row itself excluded).
    n_pca : int or None, default=50
        Search in this many principal components when ``X`` is wider; None
        searches in the full space. Exact search only.
    n_candidates : int, default=None
        Candidates per row to rank; ``2 * n_neighbors`` when None. Exact
        search only.
    exact_below : int, default=10_000
        Below this many rows the search is exact.
    random_state : int, default=0
        Seed of the randomised PCA and of NN-descent.

    Returns
    -------
    indices, distances : ndarray of shape (n_samples, n_neighbors)
        Neighbours by increasing distance, and their Euclidean distances in
        the full space.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [1.0], [3.0]])
    >>> indices, distances = nearest_neighbors(X, 1)
    >>> indices.ravel().tolist(), distances.ravel().tolist()
    ([1, 0, 1], [1.0, 1.0, 2.0])
    """
    X = np.ascontiguousarray(X, dtype=np.float32)
    n, width = X.shape
    k = min(n_neighbors, n - 1)
    # Duplicated rows are searched once: NN-descent slows to minutes, and
    # runs out of memory, on data that are mostly copies of a few rows.
    keys = X.view(np.dtype((np.void, X.dtype.itemsize * width))).ravel()
    _, first, inverse, counts = np.unique(
        keys, return_index=True, return_inverse=True, return_counts=True
    )
    if len(first) < n:
        return _with_duplicates(
            X[first],
            inverse.ravel(),
            counts,
            k,
            n_pca,
            n_candidates,
            exact_below,
            random_state,
        )
    if n >= exact_below:
        return _descent_search(X, k, random_state)
    rank = torch.from_numpy(X)
    search, n_cand = rank, k
    if n_pca is not None and width > n_pca and n > n_pca:
        search = _principal_components(rank, n_pca, random_state)
        n_cand = min(n - 1, max(k, n_candidates or 2 * k))
    # Candidates in index order, then a stable sort: equal distances keep the
    # lower index first, whatever order (thread count) the search found them in.
    candidates = torch.sort(_exact_search(search, n_cand), dim=1).values
    # Rank (or re-rank) the candidates in the full space.
    d2, order = torch.sort(_distances(rank, candidates), dim=1, stable=True)
    d2, order = d2[:, :k], order[:, :k]
    indices = torch.gather(candidates, 1, order)
    return indices.numpy(), d2.double().sqrt().numpy()


def _with_duplicates(
    unique, inverse, counts, k, n_pca, n_candidates, exact_below, random_state
):
    """Neighbours of rows with copies, from a search among the distinct rows.

    A row's nearest neighbours are its copies (at distance 0), then the
    copies of the distinct rows nearest to it, nearest first.
    """
    n, m = len(inverse), len(unique)
    k_unique = min(k, m - 1)
    if k_unique > 0:
        near, near_d = nearest_neighbors(
            unique,
            k_unique,
            n_pca=n_pca,
            n_candidates=n_candidates,
            exact_below=exact_below,
            random_state=random_state,
        )
    else:
        near, near_d = np.zeros((m, 0), np.int64), np.zeros((m, 0))
    # The first k + 1 copies of every distinct row (-1 pads): enough to find
    # k neighbours among them for any row, itself excluded.
    order = np.argsort(inverse, kind="stable")
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.arange(n) - starts[inverse[order]]
    copies = np.full((m, k + 1), -1, dtype=np.int64)
    kept = rank <= k
    copies[inverse[order][kept], rank[kept]] = order[kept]

    indices = np.empty((n, k), dtype=np.int64)
    distances = np.empty((n, k))
    chunk = max(1, 2**22 // ((k + 1) * (k_unique + 1)))
    for start in range(0, n, chunk):
        rows = np.arange(start, min(start + chunk, n))
        u = inverse[rows]
        candidates = np.concatenate(
            [copies[u], copies[near[u]].reshape(len(rows), -1)], axis=1
        )
        cand_d = np.concatenate(
            [np.zeros((len(rows), k + 1)), np.repeat(near_d[u], k + 1, axis=1)],
            axis=1,
        )
        valid = (candidates >= 0) & (candidates != rows[:, None])
        # The first k valid candidates, in order: nearest first.
        pick = np.argsort(~valid, axis=1, kind="stable")[:, :k]
        indices[rows] = np.take_along_axis(candidates, pick, axis=1)
        distances[rows] = np.take_along_axis(cand_d, pick, axis=1)
    return indices, distances


def _descent_search(X, k, random_state):
    """Approximate neighbours by NN-descent, as umap-learn finds them."""
    from pynndescent import NNDescent

    n = len(X)
    index = NNDescent(
        X,
        n_neighbors=k + 1,  # each row comes back as its own nearest neighbour
        metric="euclidean",
        random_state=int(random_state),
        n_trees=min(64, 5 + int(round(n**0.5 / 20.0))),
        n_iters=max(5, int(round(np.log2(n)))),
        max_candidates=60,
        low_memory=True,
        compressed=False,
    )
    indices, distances = index.neighbor_graph
    # Drop each row from its own list; where duplicates hid it, drop the last.
    own = indices == np.arange(n)[:, None]
    own[~own.any(axis=1), -1] = True
    keep = ~own
    return (
        indices[keep].reshape(n, k).astype(np.int64),
        distances[keep].reshape(n, k).astype(np.float64),
    )


def _squared(a, b):
    """Squared Euclidean distances between the rows of ``a`` and ``b``."""
    d2 = a.pow(2).sum(1)[:, None] + b.pow(2).sum(1)[None, :] - 2.0 * a @ b.T
    return d2.clamp_(min=0)


def _exact_search(space, k, chunk=2048):
    """Each row's ``k`` nearest other rows, by brute force in chunks."""
    n = len(space)
    out = torch.empty(n, k, dtype=torch.long)
    for start in range(0, n, chunk):
        rows = torch.arange(start, min(start + chunk, n))
        d2 = _squared(space[rows], space)
        d2[torch.arange(len(rows)), rows] = float("inf")
        out[rows] = torch.topk(d2, k, dim=1, largest=False, sorted=False).indices
    return out


def _distances(full, candidates, chunk=2048):
    """Squared full-space distances of each row to its candidates."""
    n, k = candidates.shape
    chunk = max(1, min(chunk, _MAX_GATHER // max(1, k * full.shape[1])))
    norms = full.pow(2).sum(1)
    out = torch.empty(candidates.shape, dtype=full.dtype)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        rows = candidates[start:stop]
        # One gather into a block, then dot products: no (rows, k, d) temporaries.
        block = torch.index_select(full, 0, rows.reshape(-1)).view(stop - start, k, -1)
        dots = torch.einsum("nd,nkd->nk", full[start:stop], block)
        out[start:stop] = norms[rows] + norms[start:stop, None] - 2.0 * dots
    return out.clamp_(min=0)


def _principal_components(X, n_components, random_state):
    """Scores on the first principal components (by variance), randomised SVD."""
    centred = X - X.mean(0, keepdim=True)
    with random_stream(int(random_state)), drawing_from_stream():
        _, _, V = torch.pca_lowrank(centred, q=n_components, center=False, niter=2)
    return centred @ V


def membership_weights(distances, *, n_iter=64, tol=1e-7):
    """Each row's directed membership weights to its neighbours.

    ``exp(-(d - rho) / sigma)``: 1 for the nearest neighbour, and ``sigma``
    found by bisection so that a row's weights sum to ``log2(k)``; a row
    stops once its sum is within ``tol`` (relative) of that.
    """
    n, k = distances.shape
    positive = np.where(distances > 0, distances, np.inf)
    rho = np.where(np.isfinite(positive.min(axis=1)), positive.min(axis=1), 0.0)
    excess = np.maximum(distances - rho[:, None], 0.0)
    target = np.log2(k) if k > 1 else 1.0
    low, high = np.zeros(n), np.full(n, np.inf)
    sigma = np.ones(n)
    active = np.arange(n)
    for _ in range(n_iter):
        s = sigma[active]
        total = np.exp(-excess[active] / s[:, None]).sum(axis=1)
        too_big = total > target
        high[active] = np.where(too_big, s, high[active])
        low[active] = np.where(too_big, low[active], s)
        h = high[active]
        sigma[active] = np.where(np.isinf(h), s * 2, (low[active] + h) / 2)
        # Rows whose sum is close enough keep the sigma that gave it.
        done = np.abs(total - target) <= tol * target
        sigma[active[done]] = s[done]
        active = active[~done]
        if active.size == 0:
            break
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
        u = rand_like(torch.empty(len(rows), dtype=torch.float64, device=rows.device))
        target = self.row_start[rows] + u * self.row_total[rows]
        position = torch.searchsorted(self.cumulative, target, right=True)
        position = torch.minimum(position, self.row_end[rows] - 1)
        neighbors = self.indices[position.clamp(min=0)]
        return torch.where(self.row_total[rows] > 0, neighbors, rows)


def label_intersection(graph, labels, *, far=5.0, unknown=1.0):
    """The graph made label-aware, as umap-learn intersects it with categories.

    umap-learn's categorical target metric (``fast_intersection``, then
    ``reset_local_connectivity``): the weight of an edge between rows of
    different labels is multiplied by ``exp(-far)``, of an edge to an
    unlabelled row (label -1) by ``exp(-unknown)``; then every row's
    weights are divided by its largest and the graph is symmetrised again
    by the fuzzy union. umap-learn's default ``target_weight=0.5`` gives
    ``far = 2.5 / (1 - 0.5) = 5``.

    Parameters
    ----------
    graph : scipy.sparse matrix of shape (n_samples, n_samples)
        Symmetric fuzzy membership weights.
    labels : ndarray of shape (n_samples,), int
        Class codes, -1 for an unlabelled row.
    far, unknown : float
        The categorical distances of different labels and of an unknown
        one.

    Returns
    -------
    graph : scipy.sparse.csr_matrix of shape (n_samples, n_samples)

    Examples
    --------
    Two classes of two rows, every pair an edge: the edges across the
    classes keep ``exp(-5)`` from each end, joined by the fuzzy union
    (``a + b - ab``).

    >>> import numpy as np, scipy.sparse as sp
    >>> graph = sp.csr_matrix(np.ones((4, 4)) - np.eye(4))
    >>> label_intersection(graph, np.array([0, 0, 1, 1])).toarray().round(4)
    array([[0.    , 1.    , 0.0134, 0.0134],
           [1.    , 0.    , 0.0134, 0.0134],
           [0.0134, 0.0134, 0.    , 1.    ],
           [0.0134, 0.0134, 1.    , 0.    ]])
    """
    graph = graph.tocoo(copy=True)
    labels = np.asarray(labels)
    head, tail = labels[graph.row], labels[graph.col]
    unlabelled = (head == -1) | (tail == -1)
    factor = np.where(
        unlabelled, np.exp(-unknown), np.where(head != tail, np.exp(-far), 1.0)
    )
    graph.data = graph.data * factor
    graph = graph.tocsr()
    graph.eliminate_zeros()
    # reset_local_connectivity: each row's strongest edge back to 1.
    largest = graph.max(axis=1).toarray().ravel()
    graph = sp.diags(1.0 / np.where(largest > 0, largest, 1.0)) @ graph
    graph = (graph + graph.T - graph.multiply(graph.T)).tocsr()
    graph.eliminate_zeros()
    return graph


def spread_labels(graph, labels, n_classes, *, alpha=0.9, n_iter=50):
    """Class distributions of every row: the labels spread over the graph.

    Label spreading (Zhou et al., 2004, as
    :class:`sklearn.semi_supervised.LabelSpreading` computes it, with this
    graph as its affinity): ``F <- alpha * S @ F + (1 - alpha) * Y``, with
    ``S`` the symmetrically normalised graph and ``Y`` the one-hot labels,
    then each row divided by its sum.

    Parameters
    ----------
    graph : scipy.sparse matrix of shape (n_samples, n_samples)
        Symmetric non-negative weights.
    labels : ndarray of shape (n_samples,), int
        Class codes in ``[0, n_classes)``, -1 for an unlabelled row.
    n_classes : int
    alpha : float, default=0.9
        How much of a row's distribution comes from its neighbours.
    n_iter : int, default=50

    Returns
    -------
    distributions : ndarray of shape (n_samples, n_classes), float32
        Rows sum to 1; a row that no label reaches is all zeros.

    Examples
    --------
    >>> import numpy as np, scipy.sparse as sp
    >>> chain = sp.diags([np.ones(3), np.ones(3)], [-1, 1], shape=(4, 4))
    >>> spread_labels(chain, np.array([0, -1, -1, 1]), 2).argmax(axis=1)
    array([0, 0, 1, 1])
    """
    graph = sp.csr_matrix(graph, dtype=np.float64)
    degree = np.asarray(graph.sum(axis=1)).ravel()
    scale = sp.diags(1.0 / np.sqrt(np.where(degree > 0, degree, 1.0)))
    normalised = scale @ graph @ scale
    onehot = np.zeros((len(labels), n_classes))
    known = labels >= 0
    onehot[known, labels[known]] = 1.0
    spread = onehot
    for _ in range(n_iter):
        spread = alpha * (normalised @ spread) + (1 - alpha) * onehot
    total = spread.sum(axis=1, keepdims=True)
    return (spread / np.where(total > 0, total, 1.0)).astype(np.float32)


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

    UMAP starts its layout here. The coordinates are the leading non-trivial
    eigenvectors of the normalised adjacency ``D^-1/2 W D^-1/2``, divided by
    ``sqrt(D)``: the embedding :func:`sklearn.manifold.spectral_embedding`
    computes, found with Lanczos iterations (``eigsh``) on the largest
    eigenvalues rather than a shift-invert factorisation (2 s rather than
    85 s on 60,000 rows). As there, a graph of several components places
    them apart, each gathered near a point. Falls back to random Gaussian
    coordinates when the graph is too small or the eigensolver fails.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.random.default_rng(0).normal(size=(60, 4))
    >>> layout = spectral_layout(neighbor_graph(X, 5), 2)
    >>> layout.shape, np.allclose(layout.std(axis=0), 1)
    ((60, 2), True)
    """
    from scipy.sparse.linalg import ArpackError, eigsh

    n = graph.shape[0]
    rng = np.random.default_rng(random_state)
    k = n_components + 1
    layout = None
    if n > k + 1:
        degree = np.asarray(graph.sum(axis=1), dtype=np.float64).ravel()
        root = np.sqrt(np.where(degree > 0, degree, 1.0))
        inverse_root = sp.diags(1.0 / root)
        adjacency = (inverse_root @ graph @ inverse_root).astype(np.float64)
        try:
            if n <= 200:
                values, vectors = np.linalg.eigh(adjacency.toarray())
            else:
                values, vectors = eigsh(
                    adjacency, k, which="LA", v0=rng.uniform(-1, 1, n)
                )
            # Largest first; the first is the trivial sqrt(D) direction.
            order = np.argsort(values)[::-1][1:k]
            layout = vectors[:, order] / root[:, np.newaxis]
            # A sign for each axis that does not depend on the solver.
            peaks = np.abs(layout).argmax(axis=0)
            layout *= np.sign(layout[peaks, np.arange(n_components)])
        except (ArpackError, np.linalg.LinAlgError):  # no convergence included
            layout = None
    if layout is None or not np.isfinite(layout).all():
        layout = rng.normal(size=(n, n_components))
    layout = layout - layout.mean(axis=0)
    std = layout.std(axis=0)
    return layout / np.where(std > 0, std, 1.0)


def umap_cross_entropy(z_head, z_tail, *, n_negatives=5, scale=1.0, eps=1e-4, offset=0):
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
    z_head : torch.Tensor of shape (n_edges, n_components)
        Embeddings of the heads of the sampled edges.
    z_tail : torch.Tensor of shape (n_tails, n_components)
        Embeddings of the tails: edge ``i``'s tail is row ``offset + i``;
        all tails are the negative samples. ``n_tails == n_edges`` and
        ``offset=0`` but in a data-parallel run, where they are the tails of
        the whole global batch.
    n_negatives : float, default=5
        Weight of the repulsion, in negative samples per edge.
    scale : float, default=1.0
        Factor applied to distances before the similarity.
    eps : float, default=1e-4
        Floor of the similarities inside the logarithms.
    offset : int, default=0
        Row of ``z_tail`` holding the first edge's tail.

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
    # Distances expanded as |a|^2 + |b|^2 - 2ab cancel badly in bfloat16: under
    # mixed precision the loss still runs in float32.
    with torch.autocast(device_type=z_head.device.type, enabled=False):
        d2 = _squared(z_head.float(), z_tail.float())
    # The small offset keeps the gradient of d^(2b) finite at d = 0.
    smooth = UMAP_A * (d2 * scale**2 + 1e-8).pow(UMAP_B)
    positive = torch.zeros(d2.shape, dtype=torch.bool, device=z_head.device)
    edges = torch.arange(len(z_head), device=z_head.device)
    positive[edges, offset + edges] = True
    # -log q for edges, -log(1 - q) for non-edges, q = 1 / (1 + smooth).
    attraction = torch.log1p(smooth[positive])
    q = 1.0 / (1.0 + smooth[~positive])
    repulsion = -torch.log((1.0 - q).clamp(min=eps))
    loss = attraction.mean()
    if repulsion.numel():
        loss = loss + n_negatives * repulsion.mean()
    return loss
