"""Per-epoch training time: aembed's ``fit`` against a hand-written torch loop.

Both contestants train the estimator's own module, from the same initial
weights, with the same batch size, learning rate and optimizer (AdamW), on the
same (scaled) data, with denormals flushed to zero as aembed does. The
hand-written loop shuffles with ``torch.randperm``, slices contiguous batches,
and calls ``module.loss_terms(batch)["loss"]``, ``backward`` and the optimizer
step; it adds up the detached batch losses and reads the epoch mean once, as
any real loop that reports a loss does. Each run trains 1 warm-up epoch plus
``--epochs`` timed epochs; the order of the contestants alternates over the
repeats.

aembed's per-epoch time is read two ways: ``history_["dur"]`` (skorch's
EpochTimer, which stops before the later callbacks' ``on_epoch_end``) and the
full cycle between the ends of consecutive epochs (everything, callbacks
included). The ratios are aembed / hand-written on medians over all timed
epochs of all repeats; "range" is the spread of the per-repeat ratios.

With ``--whole`` it measures instead what a new user sees: a whole
``fit(X)`` of ``--epochs`` epochs (default network, every fixed cost
included) against the same hand-written loop timed whole (scaling the data,
copying the module, building the optimizer, the epochs), and ``transform(X)``
against a bare no-grad encoder pass over 4,096-row blocks (scaling each
block, the encoder, the copy back to NumPy).

    OMP_NUM_THREADS=2 python benchmarks/bench_training.py
    OMP_NUM_THREADS=2 python benchmarks/bench_training.py --dataset fashion-mnist
    OMP_NUM_THREADS=2 python benchmarks/bench_training.py --whole --tile 4 --epochs 3
"""

import argparse
import copy
import math
import statistics
import time

import _common
import numpy as np
import torch
from skorch.callbacks import Callback


class _Clock(Callback):
    """Remember the initial weights and the time at the end of every epoch."""

    def on_train_begin(self, net, **kwargs):
        self.initial_state_ = copy.deepcopy(net.module_.state_dict())
        self.stamps_ = [time.perf_counter()]

    def on_epoch_end(self, net, **kwargs):
        self.stamps_.append(time.perf_counter())


def hand_written_loop(module, X, batch_size, lr, weight_decay, n_epochs, seed):
    """Seconds per epoch of a plain torch training loop.

    With the same cosine learning-rate schedule as aembed's default
    (``lr`` down to ``lr / 10`` over the ``n_epochs``, set batch by batch).
    """
    optimizer = torch.optim.AdamW(module.parameters(), lr=lr, weight_decay=weight_decay)
    module.train()
    durations = []
    total_steps = n_epochs * math.ceil(len(X) / batch_size)
    step = 0
    torch.manual_seed(seed)
    torch.set_flush_denormal(True)
    try:
        for _ in range(n_epochs):
            start_time = time.perf_counter()
            shuffled = X[torch.randperm(len(X))]
            total = torch.zeros(())
            for start in range(0, len(shuffled), batch_size):
                batch = shuffled[start : start + batch_size]
                factor = 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * step / total_steps))
                for group in optimizer.param_groups:
                    group["lr"] = lr * factor
                step += 1
                optimizer.zero_grad()
                loss = module.loss_terms(batch)["loss"]
                loss.backward()
                optimizer.step()
                total += loss.detach() * len(batch)
            epoch_loss = (total / len(shuffled)).item()
            durations.append(time.perf_counter() - start_time)
    finally:
        torch.set_flush_denormal(False)
    if not np.isfinite(epoch_loss):
        raise RuntimeError("the hand-written loop diverged")
    return durations


class _Timer:
    """Wall and process (CPU) seconds of a block: ``with _Timer() as t: ...``.

    CPU seconds count this process's threads only, so that they stay
    meaningful on a machine that others load (where wall time does not).
    """

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def hand_written_fit(template, initial_state, X, batch_size, n_epochs, seed):
    """Seconds of a whole hand-written fit, from the NumPy array on."""
    start_time = time.perf_counter()
    module = copy.deepcopy(template.net_.module_)
    module.load_state_dict(initial_state)
    Xs = torch.from_numpy(
        ((X - template.input_offset_) / template.input_scale_).astype(np.float32)
    )
    hand_written_loop(
        module, Xs, batch_size, template.lr, template.weight_decay, n_epochs, seed
    )
    return time.perf_counter() - start_time, module


def bare_transform(module, X, offset, scale, block=4096):
    """Seconds of a no-grad encoder pass over ``X`` in blocks, scaling each."""
    start_time = time.perf_counter()
    module.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(X), block):
            rows = ((X[start : start + block] - offset) / scale).astype(np.float32)
            out.append(module.embed(torch.from_numpy(rows)).numpy())
    np.concatenate(out)
    return time.perf_counter() - start_time


def compare_whole(name, template, X, initial_state, batch_size, args):
    """One table row of the --whole mode: fit and transform, timed whole."""
    cls = type(template)
    times = {k: [] for k in ("hand", "fit", "bare", "ours")}
    for repeat in range(args.repeats):
        order = ("hand", "aembed") if repeat % 2 == 0 else ("aembed", "hand")
        for contestant in order:
            if contestant == "hand":
                with _Timer() as fit_time:
                    _, module = hand_written_fit(
                        template, initial_state, X, batch_size, args.epochs, args.seed
                    )
                with _Timer() as transform_time:
                    bare_transform(
                        module, X, template.input_offset_, template.input_scale_
                    )
                times["hand"].append(fit_time)
                times["bare"].append(transform_time)
            else:
                est = cls(
                    max_epochs=args.epochs,
                    batch_size=batch_size,
                    random_state=args.seed,
                )
                with _Timer() as fit_time:
                    est.fit(X)
                with _Timer() as transform_time:
                    est.transform(X)
                times["fit"].append(fit_time)
                times["ours"].append(transform_time)
    med = {
        (k, kind): statistics.median(getattr(t, kind) for t in v)
        for k, v in times.items()
        for kind in ("wall", "cpu")
    }
    row = [name, batch_size]
    for kind in ("wall", "cpu"):
        row += [
            med["hand", kind],
            med["fit", kind],
            med["fit", kind] / med["hand", kind],
            med["bare", kind],
            med["ours", kind],
            med["ours", kind] / med["bare", kind],
        ]
    return row


def aembed_fit(cls, X, params, n_epochs, initial_state):
    """Per-epoch seconds of aembed's fit: (history dur, full cycle, setup)."""
    clock = _Clock()
    est = cls(**params, max_epochs=n_epochs, callbacks=[("bench_clock", clock)])
    start_time = time.perf_counter()
    est.fit(X)
    wall = time.perf_counter() - start_time
    for name, value in clock.initial_state_.items():
        if not torch.equal(value, initial_state[name]):
            raise RuntimeError(f"aembed started from other weights ({name})")
    stamps = clock.stamps_
    return (
        list(est.history_["dur"]),
        list(np.diff(stamps)),
        wall - (stamps[-1] - stamps[0]),
    )


def compare(name, template, X, Xs, initial_state, batch_size, args):
    """One table row: both contestants at one batch size, alternating."""
    cls, n_epochs = type(template), args.epochs + 1
    params = dict(batch_size=batch_size, tol=None, random_state=args.seed)
    hand, dur, cycle, setup, ratios = [], [], [], [], []
    for repeat in range(args.repeats):
        for contestant in ("hand", "aembed") if repeat % 2 == 0 else ("aembed", "hand"):
            if contestant == "hand":
                module = copy.deepcopy(template.net_.module_)
                module.load_state_dict(initial_state)
                h = hand_written_loop(
                    module,
                    Xs,
                    batch_size,
                    template.lr,
                    template.weight_decay,
                    n_epochs,
                    args.seed,
                )[1:]
            else:
                d, c, s = aembed_fit(cls, X, params, n_epochs, initial_state)
                d, c = d[1:], c[1:]
        hand += h
        dur += d
        cycle += c
        setup.append(s)
        ratios.append(statistics.median(c) / statistics.median(h))
    med_hand, med_dur, med_cycle = map(statistics.median, (hand, dur, cycle))
    return [
        name,
        batch_size,
        med_hand,
        med_dur,
        med_cycle,
        med_dur / med_hand,
        med_cycle / med_hand,
        f"{min(ratios):.2f}-{max(ratios):.2f}",
        statistics.median(setup),
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--estimators",
        nargs="+",
        default=list(_common.ESTIMATORS),
        choices=list(_common.ESTIMATORS),
    )
    parser.add_argument("--batch-sizes", nargs="+", type=int, default=[64, 256, 1024])
    parser.add_argument("--epochs", type=int, default=5, help="timed epochs per run")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--dataset", default="mnist-5k", choices=["mnist-5k", "fashion-mnist"]
    )
    parser.add_argument("--tile", type=int, default=1, help="tile the data K times")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--whole",
        action="store_true",
        help="time whole fits (--epochs epochs) and transforms, fixed costs included",
    )
    _common.add_common_args(parser)
    args = parser.parse_args()
    max_rows = None
    if args.quick:
        args.epochs, args.repeats, max_rows = 1, 2, 1024
    _common.apply_threads(args)
    title = (
        "Whole fit and transform: aembed vs hand-written loop and bare encoder"
        if args.whole
        else "Training time per epoch: aembed fit vs hand-written loop"
    )
    _common.print_header(title, args)

    X, _ = _common.load_data(args.dataset, args.tile, max_rows)
    print(
        f"data: {args.dataset}{f' tiled x{args.tile}' if args.tile > 1 else ''}, "
        f"{X.shape[0]:,} x {X.shape[1]}; {args.epochs} timed epochs after 1 "
        f"warm-up epoch, {args.repeats} repeats, contestants alternate\n"
    )

    if args.whole:
        return main_whole(args, X)
    rows = []
    for name in args.estimators:
        cls = _common.ESTIMATORS[name]
        # One short fit gives the module exactly as aembed builds it, its
        # initial weights and the scaled data it trains on.
        clock = _Clock()
        template = cls(
            max_epochs=1, random_state=args.seed, callbacks=[("bench_clock", clock)]
        ).fit(X)
        initial_state = clock.initial_state_
        if getattr(template.net_, "neighbor_sampler_", None) is not None:
            raise SystemExit(
                f"{name}: aembed's fit adds a neighbour term to the module's loss, "
                "which the hand-written loop does not compute; not comparable."
            )
        Xs = torch.from_numpy(
            ((X - template.input_offset_) / template.input_scale_).astype(np.float32)
        )
        for batch_size in args.batch_sizes:
            rows.append(compare(name, template, X, Xs, initial_state, batch_size, args))
    _common.print_table(
        [
            "estimator",
            "batch",
            "hand s/epoch",
            "aembed dur",
            "aembed cycle",
            "ratio dur",
            "ratio cycle",
            "ratio range",
            "fit setup s",
        ],
        rows,
    )
    print(
        "ratio = aembed / hand-written, medians of per-epoch seconds. 'dur' is "
        "history_['dur']; 'cycle' is end-of-epoch to end-of-epoch (all "
        "callbacks). 'fit setup s' is fit's wall time outside the epochs "
        "(validation, scaling, building the net)."
    )
    at_256 = [r for r in rows if r[1] == 256]
    for r in at_256:
        verdict = "met" if r[6] <= 1.05 else "NOT met"
        print(f"target <= 1.05x at batch 256: {r[0]} {r[6]:.3f}x ({verdict})")
    _common.print_footer()


def main_whole(args, X):
    rows = []
    for name in args.estimators:
        cls = _common.ESTIMATORS[name]
        clock = _Clock()
        template = cls(
            max_epochs=1, random_state=args.seed, callbacks=[("bench_clock", clock)]
        ).fit(X)
        # Warm-up of both contestants (first optimizer, first autograd pass).
        compare_whole(name, template, X[:2048], clock.initial_state_, 256, _Once(args))
        for batch_size in args.batch_sizes:
            rows.append(
                compare_whole(name, template, X, clock.initial_state_, batch_size, args)
            )
    headers = ["estimator", "batch"]
    for kind in ("wall", "cpu"):
        headers += [
            f"hand fit {kind}",
            f"aembed fit {kind}",
            f"ratio fit {kind}",
            f"bare transform {kind}",
            f"aembed transform {kind}",
            f"ratio transform {kind}",
        ]
    _common.print_table(headers, rows)
    print(
        f"Whole {args.epochs}-epoch fits and whole transforms of all rows, "
        "medians over the repeats, in wall seconds and in this process's CPU "
        "seconds; ratio = aembed / hand-written."
    )
    for r in rows:
        if r[1] == 256:
            for kind, fit, transform in (("wall", r[4], r[7]), ("cpu", r[10], r[13])):
                print(
                    f"targets at batch 256 ({kind}): {r[0]} fit {fit:.3f}x (<= 1.05 "
                    f"{'met' if fit <= 1.05 else 'NOT met'}), transform "
                    f"{transform:.3f}x (<= 1.15 "
                    f"{'met' if transform <= 1.15 else 'NOT met'})"
                )
    _common.print_footer()


class _Once:
    """The arguments of a single untimed warm-up run."""

    def __init__(self, args):
        self.__dict__.update(vars(args))
        self.repeats = 2


if __name__ == "__main__":
    main()
