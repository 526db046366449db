"""Neighbour-preserving maps against umap-learn, split as the report splits.

Fits the estimators with ``neighbor_weight=--w`` (``teacher_weight=--tw``,
1 by default as in the estimators; ``augment=(28, 28)`` with ``--aug``) on MNIST-5k's 3,600 training digits
(20 % held out, then 10 % of the rest for validation, both stratified, seed
0), or on ``--data fmnist-8k``, ``fmnist-60k``, ``digits`` or ``classif``,
and prints held-out 5-NN accuracy (classifier fitted on the training
embedding), trustworthiness (k=5), reconstruction MSE and fit CPU seconds
(``time.process_time``: on a shared machine, wall time measures the
neighbours' work), per estimator seed. ``maps_results.md`` holds the runs
(e01-e09 came from a first prototype that replaced the term in place, since
folded into the estimators).

    OMP_NUM_THREADS=1 python benchmarks/bench_maps.py --aug --seeds 0 1 2
"""

import argparse
import time

import _common
import numpy as np
import torch
from sklearn.model_selection import train_test_split

import aembed._training._neighbors as neighbors
import aembed._training._teacher as teacher
from aembed.metrics import knn_accuracy, trustworthiness


def load(name, seed):
    """Training and held-out rows, as the report splits them."""
    side = None
    if name == "mnist-5k":
        X, y = _common.load_data("mnist-5k")
        side = 28
    elif name.startswith("fmnist"):
        from aembed.datasets import load_fashion_mnist

        Xtr, ytr = load_fashion_mnist(subset="train", return_X_y=True)
        Xte, yte = load_fashion_mnist(subset="test", return_X_y=True)
        # Pixels in [0, 1] already.
        Xtr, Xte = Xtr.astype(np.float32), Xte.astype(np.float32)
        if name == "fmnist-8k":
            rng = np.random.default_rng(0)
            i = rng.choice(len(Xtr), 8000, replace=False)
            j = rng.choice(len(Xte), 2000, replace=False)
            return Xtr[i], Xte[j], ytr[i], yte[j], 28
        return Xtr, Xte, ytr, yte, 28
    elif name == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        X = X.astype(np.float32) / 16
    elif name == "classif":
        from sklearn.datasets import make_classification

        X, y = make_classification(
            20000,
            20,
            n_informative=10,
            n_classes=5,
            n_clusters_per_class=2,
            random_state=0,
        )
        X = ((X - X.mean(0)) / X.std(0)).astype(np.float32)
    X = np.asarray(X, dtype=np.float32)
    if X.max() > 1.5 and X.min() >= 0:
        X = X / X.max()
    Xtr, Xte, ytr, yte = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    Xtr, _, ytr, _ = train_test_split(
        Xtr, ytr, test_size=0.1, stratify=ytr, random_state=0
    )
    return Xtr, Xte, ytr, yte, side


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--data", default="mnist-5k")
    p.add_argument("--models", nargs="+", default=["dae"])
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--w", type=float, default=1.0)
    p.add_argument("--aug", action="store_true")
    p.add_argument("--conv", action="store_true")
    p.add_argument("--teacher-epochs", type=int, default=None)
    p.add_argument("--tw", type=float, default=1.0)
    p.add_argument("--layout-passes", type=int, default=5)
    p.add_argument("--hidden", default=None)
    p.add_argument("--epochs", default=None)
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--plain", action="store_true")
    p.add_argument("--umap", action="store_true")
    p.add_argument("--tag", default="")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument(
        "--aug-range",
        default=None,
        help="degrees,scale,shift of the affine augmentation (default 10,0.1,2)",
    )
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    Xtr, Xte, ytr, yte, side = load(args.data, 0)
    load_average = open("/proc/loadavg").read().split()[:3]
    print(f"# {args} train {Xtr.shape} test {Xte.shape} load {load_average}")
    rows = []
    if args.umap:
        import umap

        umap.UMAP(n_epochs=20).fit(Xtr[:500]).transform(Xte[:50])  # numba warm-up
        for s in args.seeds[:1]:
            t = time.process_time()
            r = umap.UMAP(random_state=None, n_jobs=args.threads).fit(Xtr)
            fit = time.process_time() - t
            Zte = r.transform(Xte)
            rows.append(
                (
                    "umap",
                    s,
                    knn_accuracy(r.embedding_, ytr, Zte, yte),
                    trustworthiness(Xte, Zte),
                    float("nan"),
                    fit,
                )
            )
            print(rows[-1], flush=True)
    extra = {}
    if args.teacher_epochs is not None:
        teacher.TEACHER_EPOCHS = args.teacher_epochs
    neighbors.LAYOUT_PASSES = args.layout_passes
    extra["teacher_weight"] = args.tw
    extra["augment"] = (28, 28) if args.aug else None  # "auto" adds none here
    if args.aug_range:
        import functools

        import aembed._training._augment as augment

        degrees, scale, shift = (float(v) for v in args.aug_range.split(","))
        neighbors.random_affine = functools.partial(
            augment.random_affine, degrees=degrees, scale=scale, shift=shift
        )
    if args.hidden:
        extra["hidden_layer_sizes"] = tuple(int(v) for v in args.hidden.split(","))
    if args.epochs:
        extra["max_epochs"] = int(args.epochs) if args.epochs != "auto" else "auto"
    if args.batch:
        extra["batch_size"] = args.batch
    if args.lr:
        extra["lr"] = args.lr
    if args.conv:
        extra["image_shape"] = (28, 28)
    for m in args.models:
        for s in args.seeds:
            for w in ([0.0] if args.plain else []) + ([args.w] if args.w > 0 else []):
                cls = _common.ESTIMATORS[m]
                kw = dict(extra) if w > 0 else {}
                est = cls(random_state=s, neighbor_weight=w, **kw)
                t = time.process_time()
                est.fit(Xtr)
                fit = time.process_time() - t
                Ztr, Zte = est.transform(Xtr), est.transform(Xte)
                mse = float(np.mean((Xte - est.reconstruct(Xte)) ** 2))
                row = (
                    f"{m} w={w}",
                    s,
                    knn_accuracy(Ztr, ytr, Zte, yte),
                    trustworthiness(Xte, Zte),
                    mse,
                    fit,
                )
                rows.append(row)
                print(
                    row,
                    f"epochs {est.n_iter_}",
                    flush=True,
                )
    print(f"## {args.tag} {vars(args)}")
    for r in rows:
        print(
            f"| {r[0]} | {r[1]} | {r[2]:.3f} | {r[3]:.3f} | {r[4]:.4f} | {r[5]:.1f} |"
        )


if __name__ == "__main__":
    main()
