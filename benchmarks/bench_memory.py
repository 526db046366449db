"""Peak memory of ``transform`` on large inputs: bounded by the chunk, not the rows.

Each estimator (and PCA, for reference) is fitted once on MNIST-5k and
pickled; then, for every row count, a fresh Python process builds a float32
input by tiling MNIST-5k with a little noise (block by block, without
full-size temporaries), runs one small untimed transform (so that one-time
library allocations do not count), and measures the growth of its peak
resident memory during ``transform`` of the whole input. The peak is read
from VmHWM in /proc/self/status after resetting it (``echo 5 >
/proc/self/clear_refs``); where the reset is not allowed, the
``getrusage`` maxrss delta is used. Each size runs in ``--repeats`` fresh
processes and the largest growth is reported (the allocator's reuse of
freed memory makes single readings vary by tens of MB). "Extra" is the
growth beyond the output array; for aembed it should stay constant (a few chunks of
max(batch_size, 4096) rows) while the input grows tenfold.

    OMP_NUM_THREADS=2 python benchmarks/bench_memory.py
"""

import argparse
import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time

import _common
import numpy as np

MB = 2**20


def make_rows(n_rows, seed=0):
    """n_rows x 784 float32: MNIST-5k tiled, plus noise, clipped to [0, 1]."""
    base, _ = _common.load_data("mnist-5k")
    rng = np.random.default_rng(seed)
    X = np.empty((n_rows, base.shape[1]), dtype=np.float32)
    for start in range(0, n_rows, len(base)):
        block = X[start : start + len(base)]
        rng.standard_normal(block.shape, dtype=np.float32, out=block)
        block *= 0.05
        block += base[: len(block)]
        np.clip(block, 0, 1, out=block)
    return X


def child(model_path, n_rows):
    """Runs in a fresh process: measure one transform, print a JSON line."""
    with open(model_path, "rb") as f:
        model = pickle.load(f)
    X = make_rows(n_rows)
    model.transform(X[:8192])  # one-time allocations (thread pools, kernels)
    exact = _common.reset_peak()
    before_kib = _common.status_kib("VmHWM" if exact else "VmRSS")
    maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    Z = model.transform(X)
    seconds = time.perf_counter() - start
    if exact:
        growth = (_common.status_kib("VmHWM") - before_kib) * 1024
    else:
        growth = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - maxrss_before
        growth *= 1024
    print(
        json.dumps(
            {
                "input": X.nbytes,
                "output": Z.nbytes,
                "growth": growth,
                "seconds": seconds,
                "method": "VmHWM reset" if exact else "maxrss delta",
            }
        )
    )


def measure(model_path, n_rows, repeats, env):
    """The child's report with the largest growth over ``repeats`` processes."""
    runs = []
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, __file__, "--child", model_path, str(n_rows)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return max(runs, key=lambda run: run["growth"])


def fit_models(names, args, folder):
    from sklearn.decomposition import PCA

    X, _ = _common.load_data("mnist-5k")
    paths = {}
    for name in names:
        if name == "pca":
            model = PCA(n_components=2, random_state=0).fit(X)
        else:
            # The weights do not matter for memory: train briefly.
            model = _common.ESTIMATORS[name](
                max_epochs=args.epochs, random_state=0
            ).fit(X)
        paths[name] = os.path.join(folder, f"{name}.pkl")
        with open(paths[name], "wb") as f:
            pickle.dump(model, f)
    return paths


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        child(sys.argv[2], int(sys.argv[3]))
        return
    choices = [*_common.ESTIMATORS, "pca"]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--rows", nargs="+", type=int, default=[50_000, 200_000, 500_000]
    )
    parser.add_argument("--methods", nargs="+", default=choices, choices=choices)
    parser.add_argument("--epochs", type=int, default=2, help="training epochs")
    parser.add_argument(
        "--repeats",
        type=int,
        default=2,
        help="fresh processes per size; the largest growth is reported",
    )
    _common.add_common_args(parser)
    args = parser.parse_args()
    if args.quick:
        args.rows, args.epochs, args.repeats = [5_000, 20_000, 50_000], 1, 1
    _common.apply_threads(args)
    _common.print_header("Peak memory of transform vs number of rows", args)
    env = dict(os.environ)
    if args.threads is not None:
        env["OMP_NUM_THREADS"] = str(args.threads)
    print(
        "aembed transforms in chunks of max(batch_size, 4096) = 4,096 rows "
        f"(input chunk {4096 * 784 * 4 / MB:.1f} MB at 784 features)\n"
    )

    rows = []
    with tempfile.TemporaryDirectory() as folder:
        paths = fit_models(args.methods, args, folder)
        for name in args.methods:
            runs = [measure(paths[name], n, args.repeats, env) for n in args.rows]
            for n_rows, r in zip(args.rows, runs, strict=True):
                extra = r["growth"] - r["output"]
                rows.append(
                    [
                        name,
                        n_rows,
                        r["input"] / MB,
                        r["output"] / MB,
                        r["growth"] / MB,
                        extra / MB,
                        100 * extra / r["input"],
                        r["seconds"],
                        r["method"],
                    ]
                )
            first, last = runs[0], runs[-1]
            change = (last["growth"] - last["output"]) - (
                first["growth"] - first["output"]
            )
            print(
                f"{name}: extra memory changed by {change / MB:+.1f} MB from "
                f"{args.rows[0]:,} to {args.rows[-1]:,} rows, while the input grew "
                f"by {(last['input'] - first['input']) / MB:,.0f} MB",
                flush=True,
            )
    print()
    _common.print_table(
        [
            "method",
            "rows",
            "input MB",
            "output MB",
            "peak growth MB",
            "extra MB",
            "extra % of input",
            "transform s",
            "peak measured by",
        ],
        rows,
    )
    print(
        "peak growth = VmHWM after transform - RSS before it, the largest of "
        f"{args.repeats} fresh processes; extra = peak growth - output array size"
    )

    _common.print_footer()


if __name__ == "__main__":
    main()
