"""Semi-supervised and supervised maps against umap-learn's, in one run.

MNIST-5k split as the report splits it (20 % held out, then 10 % of the
rest for validation, both stratified, seed 0): 3,600 training and 1,000
held-out digits. ``--labels-per-class`` training rows of each class keep
their label (drawn with seed 0), the others get ``-1``.

Semi-supervised protocol: each method is fitted on all training rows with
the partial labels; a 5-NN classifier is fitted on the embeddings of the
labelled training rows alone and scores the held-out rows. Methods: the
aembed estimator unsupervised (``supervision_weight=0``, same recipe
otherwise), the same with ``supervision_weight=--weight``, umap-learn
without labels and umap-learn's semi-supervised UMAP (``y`` with -1).
Reconstruction MSE of the held-out rows is printed with its ratio to the
unsupervised model's.

With ``--full`` also the supervised protocol: every training label, the
5-NN classifier fitted on every training row's embedding, against
umap-learn's supervised UMAP.

``--data fashion-mnist`` takes Fashion-MNIST's 60,000 training and 10,000
test images instead (no validation rows held out).

    OMP_NUM_THREADS=1 python benchmarks/bench_supervised.py --full --augment
"""

import argparse
import time

import _common
import numpy as np
import torch
from sklearn.model_selection import train_test_split

from aembed.metrics import knn_accuracy


def load(name):
    """Training and held-out rows (float32 in [0, 1]) and labels."""
    if name == "fashion-mnist":
        from aembed.datasets import load_fashion_mnist

        Xtr, ytr = load_fashion_mnist(subset="train", return_X_y=True)
        Xte, yte = load_fashion_mnist(subset="test", return_X_y=True)
        # The loader gives pixels in [0, 1] already.
        return (
            np.ascontiguousarray(Xtr, dtype=np.float32),
            np.ascontiguousarray(Xte, dtype=np.float32),
            ytr,
            yte,
        )
    X, y = _common.load_data("mnist-5k")
    if X.max() > 1.5:
        X = X / X.max()
    Xtr, Xte, ytr, yte = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=0
    )
    Xtr, _, ytr, _ = train_test_split(
        Xtr, ytr, test_size=0.1, stratify=ytr, random_state=0
    )
    return Xtr, Xte, ytr, yte


def partial_labels(y, per_class, seed=0):
    """``y`` with all but ``per_class`` rows of each class set to -1."""
    rng = np.random.default_rng(seed)
    keep = np.concatenate(
        [rng.permutation(np.flatnonzero(y == c))[:per_class] for c in np.unique(y)]
    )
    partial = np.full_like(y, -1)
    partial[keep] = y[keep]
    return partial


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", default="mnist-5k", choices=["mnist-5k", "fashion-mnist"])
    p.add_argument("--model", default="dae", choices=sorted(_common.ESTIMATORS))
    p.add_argument("--labels-per-class", type=int, default=10)
    p.add_argument("--weight", type=float, default=3.0, help="supervision_weight")
    p.add_argument("--neighbor-weight", type=float, default=1.0)
    p.add_argument(
        "--teacher-weight",
        type=float,
        default=0.0,
        help="teacher_weight (0: the neighbour term alone, as measured)",
    )
    p.add_argument(
        "--augment", action="store_true", help="augment=(28, 28) (every aembed fit)"
    )
    p.add_argument("--epochs", default="auto")
    p.add_argument(
        "--conv",
        action="store_true",
        help="the convolutional network (image_shape=(28, 28))",
    )
    p.add_argument("--seeds", nargs="+", type=int, default=[0])
    p.add_argument("--full", action="store_true", help="also with every label")
    p.add_argument("--no-umap", action="store_true")
    p.add_argument("--no-baseline", action="store_true")
    _common.add_common_args(p)
    args = p.parse_args()
    _common.apply_threads(args)
    _common.print_header("Semi-supervised and supervised maps", args)
    Xtr, Xte, ytr, yte = load(args.data)
    if args.quick:
        Xtr, ytr, Xte, yte = Xtr[:600], ytr[:600], Xte[:200], yte[:200]
    y_semi = partial_labels(ytr, args.labels_per_class)
    labelled = y_semi != -1
    print(
        f"data {args.data}: {len(Xtr)} training rows ({labelled.sum()} labelled), "
        f"{len(Xte)} held out\n"
    )
    epochs = args.epochs if args.epochs == "auto" else int(args.epochs)
    results = []

    def record(method, seed, semi, full, mse, fit):
        results.append((method, seed, semi, full, mse, fit))
        print(results[-1], flush=True)

    def fit_aembed(weight, y, seed):
        cls = _common.ESTIMATORS[args.model]
        est = cls(
            neighbor_weight=args.neighbor_weight,
            supervision_weight=weight,
            teacher_weight=args.teacher_weight,
            augment=(28, 28) if args.augment else None,
            max_epochs=epochs,
            random_state=seed,
            **({"image_shape": (28, 28)} if args.conv else {}),
        )
        start = time.perf_counter()
        est.fit(Xtr, y)
        fit = time.perf_counter() - start
        mse = float(np.mean((Xte - est.reconstruct(Xte)) ** 2))
        return est.transform(Xtr), est.transform(Xte), mse, fit

    for seed in args.seeds:
        name = f"{args.model} nw={args.neighbor_weight}"
        if args.augment:
            name += ", augment"
        if args.conv:
            name += ", conv"
        if not args.no_baseline:
            Ztr, Zte, mse, fit = fit_aembed(0.0, None, seed)
            semi = knn_accuracy(Ztr[labelled], ytr[labelled], Zte, yte)
            full = knn_accuracy(Ztr, ytr, Zte, yte)
            record(f"{name}, unsupervised", seed, semi, full, mse, fit)
        Ztr, Zte, mse, fit = fit_aembed(args.weight, y_semi, seed)
        semi = knn_accuracy(Ztr[labelled], ytr[labelled], Zte, yte)
        record(f"{name}, sw={args.weight}, partial labels", seed, semi, None, mse, fit)
        if args.full:
            Ztr, Zte, mse, fit = fit_aembed(args.weight, ytr, seed)
            full = knn_accuracy(Ztr, ytr, Zte, yte)
            record(f"{name}, sw={args.weight}, every label", seed, None, full, mse, fit)

    if not args.no_umap:
        import umap

        umap.UMAP(n_epochs=20).fit(Xtr[:500]).transform(Xte[:50])  # numba warm-up
        runs = [
            ("umap-learn, unsupervised", None),
            ("umap-learn, partial labels", y_semi),
        ]
        if args.full:
            runs.append(("umap-learn, every label", ytr))
        for method, y in runs:
            start = time.perf_counter()
            reducer = umap.UMAP(random_state=0).fit(Xtr, y)
            fit = time.perf_counter() - start
            Ztr, Zte = reducer.embedding_, reducer.transform(Xte)
            semi = None
            if y is not ytr:
                semi = knn_accuracy(Ztr[labelled], ytr[labelled], Zte, yte)
            full = None if y is y_semi else knn_accuracy(Ztr, ytr, Zte, yte)
            record(method, 0, semi, full, None, fit)

    unsupervised = {
        r[1]: r[4] for r in results if r[0].endswith("unsupervised") and r[4]
    }
    print(f"\nload average at the end: {open('/proc/loadavg').read().split()[:3]}")
    print(
        "\n| method | seed | 5-NN, labelled rows only | 5-NN, every training row "
        "| held-out MSE | MSE / unsupervised | fit s |"
    )
    print("|---|---|---|---|---|---|---|")
    for method, seed, semi, full, mse, fit in results:
        base = unsupervised.get(seed)
        ratio = None if mse is None or base is None else mse / base
        print(
            f"| {method} | {seed} | {_common.fmt(semi)} | {_common.fmt(full)} "
            f"| {_common.fmt(mse, 4)} | {_common.fmt(ratio)} | {fit:.1f} |"
        )


if __name__ == "__main__":
    torch.set_flush_denormal(True)
    main()
