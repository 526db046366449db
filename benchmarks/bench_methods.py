"""Fit and transform times of the aembed estimators against PCA, t-SNE and UMAP.

MNIST-5k, stratified 80/20 split (seed 0): every method is fitted on the
4,000 training rows with its defaults and embeds the 1,000 held-out rows,
except scikit-learn's t-SNE, which cannot embed new rows: it embeds training
and held-out rows together (transductive, 5,000 rows) and has no transform
time. Transform time is per 10,000 rows: the held-out rows tiled to 10,000,
after one untimed transform of the held-out rows, median of ``--repeats``.
umap-learn compiles with numba on first use: a small UMAP fit and transform
runs before anything is timed. Held-out 5-NN accuracy (kNN fitted on the
training embedding) and reconstruction MSE of the held-out rows are given
for context. ``--dataset fashion-mnist`` fits on Fashion-MNIST's 60,000
training images and embeds its 10,000 test images (choose ``--methods``:
t-SNE on 70,000 rows takes long). ``--teacher-weight 1 --augment`` turns on
the neighbour mode's opt-in teacher layout and augmentation on the ``-nb``
rows, which the report leaves off.

    OMP_NUM_THREADS=2 python benchmarks/bench_methods.py
"""

import argparse
import statistics
import time
import warnings

import _common
import numpy as np
import torch
from sklearn.model_selection import train_test_split

from aembed.compare import NEIGHBOR_WEIGHT
from aembed.metrics import knn_accuracy, trustworthiness

# "-nb": the estimator with the neighbour-preserving term (neighbor_weight).
NEIGHBOR = [f"{name}-nb" for name in _common.ESTIMATORS]
METHODS = [*_common.ESTIMATORS, *NEIGHBOR, "pca", "tsne", "opentsne", "umap"]
DEFAULT_METHODS = [m for m in METHODS if m != "vqvae-nb"]


def timed(func, *args):
    start = time.perf_counter()
    result = func(*args)
    return result, time.perf_counter() - start


def make_umap(args, **extra):
    import umap

    return umap.UMAP(
        n_jobs=args.n_jobs,
        random_state=args.seed if args.umap_seed else None,
        force_approximation_algorithm=args.umap_approx,
        **extra,
    )


def run(name, args, X_train, X_test):
    """Fit one method: (fit s, Z_train, Z_test, transform or None, MSE, note)."""
    quick = args.quick
    if name.removesuffix("-nb") in _common.ESTIMATORS:
        extra = {"max_epochs": 2} if quick else {}
        if args.max_epochs is not None and not quick:
            extra["max_epochs"] = args.max_epochs
        if name in NEIGHBOR:
            extra["neighbor_weight"] = args.neighbor_weight
            extra["teacher_weight"] = args.teacher_weight
            # Both data sets are 28 x 28 images.
            extra["augment"] = (28, 28) if args.augment else None
        cls = _common.ESTIMATORS[name.removesuffix("-nb")]
        seed = args.seed if args.random_state is None else args.random_state
        est = cls(random_state=seed, **extra)
        _, fit_s = timed(est.fit, X_train)
        mse = np.mean((X_test - est.reconstruct(X_test)) ** 2)
        Z_train, Z_test = est.transform(X_train), est.transform(X_test)
        return fit_s, Z_train, Z_test, est.transform, mse, f"{est.n_iter_} epochs"
    if name == "pca":
        from sklearn.decomposition import PCA

        pca = PCA(n_components=2, random_state=args.seed)
        Z_train, fit_s = timed(pca.fit_transform, X_train)
        Z_test = pca.transform(X_test)
        mse = np.mean((X_test - pca.inverse_transform(Z_test)) ** 2)
        return fit_s, Z_train, Z_test, pca.transform, mse, ""
    if name == "tsne":
        from sklearn.manifold import TSNE

        extra = {"max_iter": 250} if quick else {}
        tsne = TSNE(2, random_state=args.seed, n_jobs=args.n_jobs, **extra)
        Z, fit_s = timed(tsne.fit_transform, np.vstack([X_train, X_test]))
        note = f"transductive: fit on {len(Z):,} rows"
        return fit_s, Z[: len(X_train)], Z[len(X_train) :], None, None, note
    if name == "opentsne":
        from openTSNE import TSNE as OpenTSNE

        extra = {"n_iter": 50, "early_exaggeration_iter": 25} if quick else {}
        tsne = OpenTSNE(random_state=args.seed, n_jobs=args.n_jobs, **extra)
        embedding, fit_s = timed(tsne.fit, X_train)
        Z_test = embedding.transform(X_test)
        return fit_s, np.asarray(embedding), Z_test, embedding.transform, None, ""
    if name == "umap":
        reducer = make_umap(args, **({"n_epochs": 20} if quick else {}))
        _, fit_s = timed(reducer.fit, X_train)
        neighbours = "exact" if reducer._small_data else "approximate (NN-descent)"
        Z_test = reducer.transform(X_test)
        note = f"{neighbours} neighbours"
        return fit_s, reducer.embedding_, Z_test, reducer.transform, None, note
    raise ValueError(name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--methods", nargs="+", default=DEFAULT_METHODS, choices=METHODS
    )
    parser.add_argument("--repeats", type=int, default=3, help="transform timings")
    parser.add_argument(
        "--n-jobs",
        type=int,
        default=None,
        help="threads for UMAP/openTSNE/t-SNE (default: torch's thread count)",
    )
    parser.add_argument(
        "--umap-approx",
        action="store_true",
        help="force_approximation_algorithm=True (NN-descent below 4,096 rows too)",
    )
    parser.add_argument(
        "--umap-seed",
        action="store_true",
        help="seed UMAP (umap-learn then runs single-threaded)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--max-epochs",
        type=int,
        default=None,
        help="of the aembed estimators (default: theirs, max_epochs='auto')",
    )
    parser.add_argument(
        "--neighbor-weight",
        type=float,
        default=NEIGHBOR_WEIGHT,
        help="neighbor_weight of the -nb rows (default: the report's)",
    )
    parser.add_argument(
        "--teacher-weight",
        type=float,
        default=0.0,
        help="teacher_weight of the -nb rows (default 0: the opt-in mode off)",
    )
    parser.add_argument(
        "--augment",
        action="store_true",
        help="augment=(28, 28) on the -nb rows (default: off, as the report)",
    )
    parser.add_argument(
        "--random-state",
        type=int,
        default=None,
        help="seed of the estimators (default: --seed, which also splits)",
    )
    parser.add_argument(
        "--dataset",
        default="mnist-5k",
        choices=["mnist-5k", "fashion-mnist"],
        help="mnist-5k: stratified 80/20 split; fashion-mnist: its 60,000 "
        "training and 10,000 test images",
    )
    _common.add_common_args(parser)
    args = parser.parse_args()
    _common.apply_threads(args)
    if args.n_jobs is None:
        args.n_jobs = torch.get_num_threads()
    if args.quick:
        args.repeats = 1
    _common.print_header("Fit and transform times: aembed vs PCA, t-SNE, UMAP", args)
    warnings.filterwarnings("ignore", message=".*n_jobs.*")

    if args.dataset == "fashion-mnist":
        from aembed.datasets import load_fashion_mnist

        X, y = load_fashion_mnist(subset="all", return_X_y=True)
    else:
        X, y = _common.load_data(args.dataset)
    if args.quick:
        X, _, y, _ = train_test_split(
            X, y, train_size=1000, stratify=y, random_state=args.seed
        )
    if args.dataset == "fashion-mnist" and not args.quick:
        X_train, X_test, y_train, y_test = (
            X[:60_000],
            X[60_000:],
            y[:60_000],
            y[60_000:],
        )
    else:
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.2, stratify=y, random_state=args.seed
        )
    X_10k = np.tile(X_test, (int(np.ceil(10_000 / len(X_test))), 1))[:10_000]
    print(
        f"data: {args.dataset}{' (subsampled)' if args.quick else ''}, "
        f"{len(X_train):,} training / {len(X_test):,} held-out rows; "
        f"transform timed on {len(X_10k):,} rows; UMAP/openTSNE/t-SNE n_jobs="
        f"{args.n_jobs}"
    )
    methods = [m for m in METHODS if m in args.methods]
    aembed_methods = {m.removesuffix("-nb") for m in methods} & set(_common.ESTIMATORS)
    if aembed_methods:
        # torch imports torch._dynamo when the first optimizer is built (seconds).
        start = time.perf_counter()
        for name in sorted(aembed_methods):
            _common.ESTIMATORS[name](max_epochs=1).fit(X_train[:300])
        print(
            "torch warmed up by a 1-epoch, 300-row fit of each estimator before "
            f"timing ({time.perf_counter() - start:.1f} s, excluded)"
        )
    if len(X_train) > 10_000 and ("umap" in methods or set(NEIGHBOR) & set(methods)):
        # Above 10,000 rows umap-learn and aembed's neighbour graph both use
        # NN-descent (pynndescent), which numba compiles on first use, once
        # per process: without this, the first of them pays ~30 s for both.
        from aembed._graph import nearest_neighbors

        start = time.perf_counter()
        nearest_neighbors(X_train[:2000], 15, exact_below=1000)
        print(
            "NN-descent: numba warmed up on 2,000 rows before timing "
            f"({time.perf_counter() - start:.1f} s, excluded)"
        )
    if "umap" in methods:
        start = time.perf_counter()
        make_umap(args, n_epochs=20).fit(X_train[:300]).transform(X_test[:100])
        print(
            "UMAP: numba warmed up by a 300-row fit + transform before timing "
            f"({time.perf_counter() - start:.1f} s, excluded); "
            f"force_approximation_algorithm={args.umap_approx}, "
            f"random_state={args.seed if args.umap_seed else None}"
        )
    print()

    results = {}
    for name in methods:
        fit_s, Z_train, Z_test, transform, mse, note = run(name, args, X_train, X_test)
        transform_s = None
        if transform is not None:
            transform_s = statistics.median(
                timed(transform, X_10k)[1] for _ in range(args.repeats)
            )
        acc = knn_accuracy(Z_train, y_train, Z_test, y_test, n_neighbors=5)
        trust = trustworthiness(X_test, Z_test, n_neighbors=5, max_samples=5000)
        results[name] = (fit_s, transform_s, acc, trust, mse, note)
        print(f"  done: {name} (fit {fit_s:.2f} s)", flush=True)
    print()

    umap_fit, umap_tr = results.get("umap", (None, None))[:2]
    rows = []
    for name, (fit_s, transform_s, acc, trust, mse, note) in results.items():
        fit_ratio = fit_s / umap_fit if umap_fit else None
        speedup = umap_tr / transform_s if umap_tr and transform_s else None
        row = [name, fit_s, transform_s, fit_ratio, speedup, acc, trust, mse, note]
        rows.append(row)
    _common.print_table(
        [
            "method",
            "fit s",
            "transform s/10k",
            "fit / UMAP fit",
            "UMAP tr / tr",
            "5-NN",
            "trust",
            "MSE",
            "note",
        ],
        rows,
    )
    if umap_fit:
        for name in _common.ESTIMATORS:
            if name in results:
                fit_ratio, speedup = rows[list(results).index(name)][3:5]
                print(
                    f"targets, {name}: transform {speedup:.0f}x faster than UMAP "
                    f"(>= 30x: {'met' if speedup >= 30 else 'NOT met'}); fit "
                    f"{fit_ratio:.2f}x UMAP's (<= 1x: "
                    f"{'met' if fit_ratio <= 1 else 'NOT met'})"
                )
        for name in NEIGHBOR:
            if name in results:
                fit_ratio = rows[list(results).index(name)][3]
                print(
                    f"target, {name}: fit {fit_ratio:.2f}x UMAP's (<= 2x: "
                    f"{'met' if fit_ratio <= 2 else 'NOT met'})"
                )

    _common.print_footer()


if __name__ == "__main__":
    main()
