"""How well can any encoder trained on MNIST-5k map held-out digits?

A parametric map (one encoder pass, as ``transform`` is) has to generalise
from the training rows to new ones; UMAP's ``transform`` does not: it places
each new row among its nearest training rows in the input space. This script
separates the two limits. It fits umap-learn on the training digits, then
trains aembed's MLP encoder with ``hidden_layer_sizes=(512, 256)`` (the earlier default)
to regress UMAP's own training layout, the best target a neighbour-preserving
loss could reach, and scores the held-out digits it maps (5-NN accuracy of a
classifier fitted on the training map, trustworthiness) against UMAP's
``transform``. With ``--augment`` it also trains on randomly rotated, scaled
and shifted digits (the most a 4,000-image training set gains from the
invariances of handwriting). Two non-parametric rows show where UMAP's
held-out scores come from: each held-out digit placed at the mean layout
position of its 1 or 5 nearest training digits.

    OMP_NUM_THREADS=2 python benchmarks/bench_parametric_ceiling.py
"""

import argparse
import math
import time

import _common
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.model_selection import train_test_split
from sklearn.neighbors import NearestNeighbors

from aembed.metrics import knn_accuracy, trustworthiness
from aembed.nn import MLPEncoder


def random_affine(x, generator, degrees=10.0, scale=0.1, shift=2.0, side=28):
    """Rotate, scale and shift each ``side`` x ``side`` image of ``x`` at random."""
    n = len(x)

    def uniform(size, bound):
        return (torch.rand(size, generator=generator) * 2 - 1) * bound

    angle = uniform(n, math.radians(degrees))
    factor = 1 + uniform(n, scale)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = theta[:, 1, 1] = torch.cos(angle) / factor
    theta[:, 0, 1] = -torch.sin(angle) / factor
    theta[:, 1, 0] = torch.sin(angle) / factor
    theta[:, :, 2] = uniform((n, 2), 2 * shift / side)
    images = x.reshape(n, 1, side, side)
    grid = F.affine_grid(theta, images.shape, align_corners=False)
    return F.grid_sample(images, grid, align_corners=False).reshape(n, -1)


def regress(X, targets, epochs, augment, seed):
    """The default MLP encoder fitted to ``targets`` by mean squared error."""
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    encoder = MLPEncoder(X.shape[1], targets.shape[1], (512, 256))
    optimizer = torch.optim.AdamW(encoder.parameters(), lr=1e-3)
    X, targets = torch.from_numpy(X), torch.from_numpy(targets)
    for _ in range(epochs):
        order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), 128):
            rows = order[start : start + 128]
            x = random_affine(X[rows], generator) if augment else X[rows]
            loss = F.mse_loss(encoder(x), targets[rows])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    encoder.eval()
    return encoder


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--augment", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    _common.add_common_args(parser)
    args = parser.parse_args()
    _common.apply_threads(args)
    import umap

    _common.print_header("Held-out quality of an encoder regressed on UMAP", args)
    X, y = _common.load_data("mnist-5k")
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=args.seed
    )
    epochs = 2 if args.quick else args.epochs

    def scores(Z_train, Z_test):
        return [
            knn_accuracy(Z_train, y_train, Z_test, y_test),
            trustworthiness(X_test, Z_test),
        ]

    start = time.perf_counter()
    reducer = umap.UMAP(random_state=args.seed, n_jobs=1).fit(X_train)
    layout = reducer.embedding_
    Z_test = reducer.transform(X_test)
    rows = [["UMAP fit / transform", *scores(layout, Z_test), None, None]]
    print(f"UMAP: {time.perf_counter() - start:.1f} s")

    # Non-parametric references: each held-out digit at the mean layout
    # position of its k nearest training digits in the input space.
    neighbors = NearestNeighbors().fit(X_train)
    for k in (1, 5):
        index = neighbors.kneighbors(X_test, n_neighbors=k, return_distance=False)
        name = f"mean layout of the {k} nearest training digits"
        rows.append([name, *scores(layout, layout[index].mean(axis=1)), None, None])

    # Unit-variance targets suit the encoder's initial scale.
    targets = ((layout - layout.mean(0)) / layout.std(0)).astype(np.float32)
    variants = [False, True] if args.augment else [False]
    for augment in variants:
        start = time.perf_counter()
        encoder = regress(X_train, targets, epochs, augment, args.seed)
        seconds = time.perf_counter() - start
        with torch.no_grad():
            Z_train = encoder(torch.from_numpy(X_train)).numpy()
            Z_test = encoder(torch.from_numpy(X_test)).numpy()
        error = float(np.mean(np.sum((Z_train - targets) ** 2, axis=1)))
        name = "MLP on UMAP's layout" + (", affine augmentation" if augment else "")
        rows.append([name, *scores(Z_train, Z_test), error, seconds])

    print(f"\nMNIST-5k, 80/20 stratified split (seed {args.seed}); {epochs} epochs")
    headers = ["map", "held-out 5-NN", "trust", "train error", "fit s"]
    _common.print_table(headers, rows)
    print(
        "train error: mean squared distance of the training map to UMAP's "
        "layout (unit variance per axis)"
    )
    _common.print_footer()


if __name__ == "__main__":
    main()
