"""Cost and recall of the neighbour graph: aembed against umap-learn.

The neighbour-preserving term (``neighbor_weight``) builds UMAP's fuzzy graph
of the training rows. Below 10,000 rows aembed searches exactly (candidates
in the first 50 principal components, ranked in the full space); above, by
NN-descent (pynndescent) in the full space, as umap-learn does above 4,096
rows. On the same rows this script times both graph steps (umap-learn's
``nearest_neighbors`` plus ``fuzzy_simplicial_set``; both compiled by numba
before timing), measures each one's recall of the exact ``n_neighbors``
nearest neighbours in the full space on ``--queries`` rows, and the peak
resident memory of aembed's graph step (measured in a child process).

    OMP_NUM_THREADS=2 python benchmarks/bench_graph.py --dataset fashion-mnist
"""

import argparse
import time

import _common
import numpy as np
from sklearn.neighbors import NearestNeighbors

from aembed._graph import fuzzy_graph, nearest_neighbors


def recall(found, exact):
    hits = [len(set(a) & set(b)) for a, b in zip(found, exact, strict=True)]
    return np.sum(hits) / exact.size


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dataset", default="fashion-mnist", choices=["mnist-5k", "fashion-mnist"]
    )
    parser.add_argument("--tile", type=int, default=1, help="tile the data K times")
    parser.add_argument("--n-neighbors", type=int, default=15)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--n-jobs", type=int, default=None)
    _common.add_common_args(parser)
    args = parser.parse_args()
    _common.apply_threads(args)
    import torch

    n_jobs = args.n_jobs or torch.get_num_threads()
    _common.print_header("Neighbour graph: aembed vs umap-learn", args)

    X, _ = _common.load_data(args.dataset, tile=args.tile)
    if args.tile > 1:
        # Tiled copies would be each other's exact neighbours.
        X = X + np.random.default_rng(0).normal(0, 0.01, X.shape).astype(np.float32)
    if args.quick:
        X = X[:3000]
    k = args.n_neighbors
    print(f"data: {args.dataset}, {X.shape[0]:,} x {X.shape[1]}; k={k}")

    rng = np.random.default_rng(0)
    queries = rng.choice(len(X), size=min(args.queries, len(X)), replace=False)
    start = time.perf_counter()
    exact = NearestNeighbors(n_neighbors=k + 1).fit(X).kneighbors(X[queries])[1]
    exact = np.array([row[row != q][:k] for row, q in zip(exact, queries, strict=True)])
    print(
        f"exact reference on {len(queries):,} queries: "
        f"{time.perf_counter() - start:.1f} s"
    )

    # NN-descent (pynndescent) compiles with numba on first use, once per
    # process, for aembed as for umap-learn: warm it up untimed.
    start = time.perf_counter()
    nearest_neighbors(X[:2000], k, exact_below=1000)
    print(
        f"one-off numba compilation of NN-descent: {time.perf_counter() - start:.1f} s"
    )
    before = _common.status_kib("VmRSS") if _common.reset_peak() else None
    start = time.perf_counter()
    indices, distances = nearest_neighbors(X, k)
    search_s = time.perf_counter() - start
    fuzzy_graph(indices, distances)
    aembed_s = time.perf_counter() - start
    if before is not None:
        grown = (_common.status_kib("VmHWM") - before) / 2**20
        print(
            f"peak memory of aembed's graph step beyond the data: {grown:.2f} GB "
            f"(the data: {X.nbytes / 2**30:.2f} GB)"
        )
    rows = [
        [
            (
                "aembed (exact in 50 PCs, ranked in full)"
                if len(X) < 10_000
                else "aembed (NN-descent, full space)"
            ),
            search_s,
            aembed_s,
            recall(indices[queries], exact),
        ]
    ]

    try:
        from umap.umap_ import fuzzy_simplicial_set
        from umap.umap_ import nearest_neighbors as umap_nn
    except ImportError:
        print("umap-learn is not installed: aembed alone")
    else:
        # numba compiles both steps on first use: warm them up untimed.
        small = X[:500]
        idx, dist, _ = umap_nn(
            small, k + 1, "euclidean", {}, False, None, n_jobs=n_jobs
        )
        fuzzy_simplicial_set(
            small, k + 1, None, "euclidean", knn_indices=idx, knn_dists=dist
        )
        start = time.perf_counter()
        umap_idx, umap_dist, _ = umap_nn(
            X, k + 1, "euclidean", {}, False, None, n_jobs=n_jobs
        )
        search_s = time.perf_counter() - start
        fuzzy_simplicial_set(
            X, k + 1, None, "euclidean", knn_indices=umap_idx, knn_dists=umap_dist
        )
        umap_s = time.perf_counter() - start
        found = np.array(
            [
                row[row != q][:k]
                for row, q in zip(umap_idx[queries], queries, strict=True)
            ]
        )
        rows.append(
            [
                "umap-learn (NN-descent, full space)",
                search_s,
                umap_s,
                recall(found, exact),
            ]
        )
    print()
    _common.print_table(["graph", "search s", "graph s", "recall@k"], rows)
    _common.print_footer()


if __name__ == "__main__":
    main()
