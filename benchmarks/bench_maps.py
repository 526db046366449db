"""Neighbour-preserving maps against umap-learn, split as the report splits.

Fits the estimators with ``neighbor_weight=--w`` (``teacher_weight=--tw``,
``augment=(28, 28)`` with ``--aug``) on MNIST-5k's 3,600 training digits
(20 % held out, then 10 % of the rest for validation, both stratified, seed
0), or on ``--data fmnist-8k``, ``fmnist-60k``, ``digits`` or ``classif``,
and prints held-out 5-NN accuracy (classifier fitted on the training
embedding), trustworthiness (k=5), reconstruction MSE and fit seconds, per
estimator seed. ``--proto`` runs the first prototype instead, which
replaced the estimators' term in place (teacher from ``--teacher torch`` or
``umap``, augmentation of the reconstruction input unless
``--clean-recon``); ``maps_results.md`` holds the runs.

    OMP_NUM_THREADS=1 python benchmarks/bench_maps.py --aug --tw 1 --seeds 0 1 2
"""

import argparse
import math
import time

import _common
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.model_selection import train_test_split

import aembed._training as training
import aembed._training._neighbors as neighbors
import aembed._training._teacher as teacher
from aembed._graph import (
    UMAP_A,
    UMAP_B,
    neighbor_graph,
    spectral_layout,
)
from aembed._training import EmbedderNet
from aembed.metrics import knn_accuracy, trustworthiness

CFG = {}


def random_affine(x, side, degrees=10.0, scale=0.1, shift=2.0):
    n = len(x)

    def uniform(size, bound):
        return (torch.rand(size, device=x.device) * 2 - 1) * bound

    angle = uniform(n, math.radians(degrees))
    factor = 1 + uniform(n, scale)
    theta = torch.zeros(n, 2, 3, device=x.device)
    theta[:, 0, 0] = theta[:, 1, 1] = torch.cos(angle) / factor
    theta[:, 0, 1] = -torch.sin(angle) / factor
    theta[:, 1, 0] = torch.sin(angle) / factor
    theta[:, :, 2] = uniform((n, 2), 2 * shift / side)
    images = x.reshape(n, 1, side, side)
    grid = F.affine_grid(theta, images.shape, align_corners=False)
    return F.grid_sample(images, grid, align_corners=False).reshape(n, -1)


def torch_umap_layout(graph, init, n_epochs=200, negatives=5, seed=0):
    """UMAP's layout optimisation (epochs of edge SGD), vectorised in torch."""
    gen = torch.Generator().manual_seed(seed)
    coo = graph.tocoo()
    w = torch.from_numpy(coo.data.astype(np.float32))
    keep = w >= w.max() / n_epochs
    head = torch.from_numpy(coo.row.astype(np.int64))[keep]
    tail = torch.from_numpy(coo.col.astype(np.int64))[keep]
    p = w[keep] / w.max()
    Y = torch.as_tensor(init, dtype=torch.float32).clone()
    Y = 10 * (Y - Y.min(0).values) / (Y.max(0).values - Y.min(0).values)
    n = len(Y)
    a, b = UMAP_A, UMAP_B
    for epoch in range(n_epochs):
        alpha = 1.0 - epoch / n_epochs
        m = torch.rand(len(p), generator=gen) < p
        h, t = head[m], tail[m]
        diff = Y[h] - Y[t]
        d2 = (diff * diff).sum(1, keepdim=True)
        coef = -2 * a * b * d2.clamp(min=1e-12).pow(b - 1) / (1 + a * d2.pow(b))
        coef = torch.where(d2 > 0, coef, torch.zeros_like(coef))
        g = (coef * diff).clamp(-4, 4) * alpha
        dY = torch.zeros_like(Y)
        dY.index_add_(0, h, g)
        dY.index_add_(0, t, -g)
        hn = h.repeat_interleave(negatives)
        k = torch.randint(0, n, (len(hn),), generator=gen)
        diff = Y[hn] - Y[k]
        d2 = (diff * diff).sum(1, keepdim=True)
        coef = 2 * b / ((0.001 + d2) * (1 + a * d2.pow(b)))
        g = torch.where(d2 > 0, (coef * diff).clamp(-4, 4), torch.full_like(diff, 4.0))
        dY.index_add_(0, hn, g * alpha)
        Y += dY
    return Y.numpy()


class Term(neighbors.NeighborTerm):
    pass


def patched_neighbor_term(net, train, self, seed, warm, parallel=None):
    if self.neighbor_weight == 0 or len(train) < 2:
        return None
    t0 = time.perf_counter()
    rows = train.cpu().numpy()
    graph = neighbor_graph(rows, self.n_neighbors, random_state=seed)
    layout = spectral_layout(graph, self.n_components, random_state=seed)
    teacher = None
    if CFG["teacher"] == "torch":
        teacher = torch_umap_layout(graph, layout, CFG["teacher_epochs"], seed=seed)
    elif CFG["teacher"] == "umap":
        import umap

        teacher = umap.UMAP(random_state=seed, n_jobs=1).fit(rows).embedding_
    if teacher is not None:
        teacher = teacher - teacher.mean(0)
        teacher = teacher / _NEIGHBOR_SCALE
        layout = teacher
    CFG["t_teacher"] = time.perf_counter() - t0
    term = Term(
        train, graph, self.neighbor_weight * train.shape[1], scale=_NEIGHBOR_SCALE
    )
    term.teacher = (
        None if teacher is None else torch.as_tensor(teacher, dtype=torch.float32)
    )
    term.teacher_weight = CFG["tw"] * train.shape[1]
    term.side = CFG["side"]
    if not warm:
        passes = CFG["layout_passes"]
        if term.side and CFG["aug"]:
            _fit_layout_aug(net, train, layout, passes, term.side)
        else:
            net.fit_layout(train, layout, n_passes=passes, batch_size=net.batch_size)
    CFG["t_start"] = time.perf_counter() - t0
    return term


def _fit_layout_aug(net, X, layout, n_passes, side):
    net._set_training(True)
    targets = torch.as_tensor(layout, dtype=X.dtype)
    bs = net.batch_size
    for _ in range(n_passes):
        order = torch.randperm(len(X))
        for start in range(0, len(X), bs):
            rows = order[start : start + bs]
            z = net.module_.embed(random_affine(X[rows], side))
            loss = (z - targets[rows]).pow(2).sum(1).mean()
            net.optimizer_.zero_grad()
            loss.backward()
            net.optimizer_.step()


_NEIGHBOR_SCALE = neighbors.NEIGHBOR_SCALE


def patched_train_step(self, batch, **fit_params):
    module = self.module_
    term = self.neighbor_term_
    if term is None:
        terms = module(batch.x)
        terms["loss"].backward()
        return {"loss": terms["loss"], "y_pred": None, "terms": terms}
    x = batch.x
    tails_idx = term.sampler.sample(batch.index)
    tails = term.X[tails_idx]
    aug = CFG["aug"] and term.side
    n = len(x)
    if aug:
        both = random_affine(torch.cat([x, tails]), term.side)
        if CFG["clean_recon"]:
            tails = both
        else:
            x, tails = both[:n], both[n:]
    if CFG["mixup"] and not aug:
        r = torch.rand(len(x), 1) * CFG["mixup"]
        tails = (1 - r) * x + r * tails
    terms = module(x, tails)
    z_heads, z_tails = terms.pop("embedding"), terms.pop("tail_embedding")
    if aug and CFG["clean_recon"]:
        z_heads, z_tails = z_tails[:n], z_tails[n:]
    neighbor = term(z_heads, z_tails)
    terms["neighbor"] = neighbor
    terms["loss"] = terms["loss"] + term.weight * neighbor
    if term.teacher is not None and term.teacher_weight > 0:
        tz = term.teacher
        t_loss = (z_heads - tz[batch.index]).pow(2).sum(1).mean()
        if not CFG["mixup"] or aug:
            t_loss = 0.5 * (t_loss + (z_tails - tz[tails_idx]).pow(2).sum(1).mean())
        terms["teacher"] = t_loss
        terms["loss"] = terms["loss"] + term.teacher_weight * t_loss
    terms["loss"].backward()
    return {"loss": terms["loss"], "y_pred": None, "terms": terms}


def patch():
    """The first prototype (``--proto``): the term replaced in place."""
    training.neighbor_term = patched_neighbor_term
    EmbedderNet.train_step_single = patched_train_step


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
        Xtr, Xte = Xtr.astype(np.float32) / 255, Xte.astype(np.float32) / 255
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
    p.add_argument("--clean-recon", action="store_true")
    p.add_argument("--mixup", type=float, default=0.0, help="--proto only")
    p.add_argument("--teacher", default="none")
    p.add_argument("--teacher-epochs", type=int, default=None)
    p.add_argument("--tw", type=float, default=0.0)
    p.add_argument("--layout-passes", type=int, default=5)
    p.add_argument("--hidden", default=None)
    p.add_argument("--epochs", default=None)
    p.add_argument("--batch", type=int, default=None)
    p.add_argument("--lr", type=float, default=None)
    p.add_argument("--plain", action="store_true")
    p.add_argument("--umap", action="store_true")
    p.add_argument("--tag", default="")
    p.add_argument("--proto", action="store_true")
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    Xtr, Xte, ytr, yte, side = load(args.data, 0)
    CFG.update(
        aug=args.aug,
        teacher=args.teacher,
        teacher_epochs=args.teacher_epochs,
        tw=args.tw,
        layout_passes=args.layout_passes,
        side=side,
        mixup=args.mixup,
        clean_recon=args.clean_recon,
    )
    load_average = open("/proc/loadavg").read().split()[:3]
    print(f"# {args} train {Xtr.shape} test {Xte.shape} load {load_average}")
    rows = []
    if args.umap:
        import umap

        umap.UMAP(n_epochs=20).fit(Xtr[:500]).transform(Xte[:50])  # numba warm-up
        for s in args.seeds[:1]:
            t = time.perf_counter()
            r = umap.UMAP(random_state=None, n_jobs=2).fit(Xtr)
            fit = time.perf_counter() - t
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
    if args.proto:
        patch()
    else:
        teacher.TEACHER_EPOCHS = args.teacher_epochs
        neighbors.LAYOUT_PASSES = args.layout_passes
        extra["teacher_weight"] = args.tw
        extra["augment"] = (28, 28) if args.aug else None
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
                t = time.perf_counter()
                est.fit(Xtr)
                fit = time.perf_counter() - t
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
