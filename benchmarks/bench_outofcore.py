"""Peak memory of fit, partial_fit and transform on a memory map larger than RAM.

Writes (once) a ``--rows`` x 784 float32 ``.npy`` file, Fashion-MNIST's
60,000 training images tiled with a little Gaussian noise (2,000,000 rows:
about 6.3 GB), then runs each of three jobs in a fresh process on
``np.load(path, mmap_mode="r")`` with the default ``DenoisingAEEmbedder``
network:

- ``fit``: one epoch of ``fit(X)`` (streamed: one statistics pass, one
  block-shuffled epoch);
- ``partial_fit``: one pass of ``partial_fit`` over slices of ``--slice``
  rows of the map, as a loop or ``dask_ml.wrappers.Incremental`` hands them
  over;
- ``transform``: ``transform(X)`` of every row, written to a ``.npy`` file
  beside the input.

For each job it reports the wall time and the peak resident memory of the
process (``VmHWM``), which must stay far below the file's size: the target is
under 1.5 GB for each.

    OMP_NUM_THREADS=2 python benchmarks/bench_outofcore.py --path /var/tmp/aembed-2m.npy
"""

import argparse
import json
import os
import subprocess
import sys
import time

import _common
import numpy as np

GB = 1e9


def write_rows(path, n_rows, seed=0):
    """n_rows x 784 float32: Fashion-MNIST tiled, plus noise, clipped to [0, 1]."""
    from aembed.datasets import load_fashion_mnist

    base = load_fashion_mnist(return_X_y=True)[0].astype(np.float32)
    rng = np.random.default_rng(seed)
    out = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(n_rows, base.shape[1])
    )
    for start in range(0, n_rows, len(base)):
        block = np.empty((min(len(base), n_rows - start), base.shape[1]), np.float32)
        rng.standard_normal(block.shape, dtype=np.float32, out=block)
        block *= 0.02
        block += base[: len(block)]
        np.clip(block, 0, 1, out=block)
        out[start : start + len(block)] = block
    out.flush()
    del out


def child(job, path, slice_rows):
    """Runs in a fresh process: one job, a JSON line on stdout."""
    from aembed import DenoisingAEEmbedder

    X = np.load(path, mmap_mode="r")
    est = DenoisingAEEmbedder(max_epochs=1, tol=None, random_state=0)
    start = time.perf_counter()
    if job == "fit":
        est.fit(X)
    elif job == "partial_fit":
        for first in range(0, len(X), slice_rows):
            est.partial_fit(X[first : first + slice_rows])
    else:
        est.partial_fit(np.asarray(X[:5000]))  # a model to apply; not timed
        start = time.perf_counter()
        Z = est.transform(X)
        np.save(os.path.splitext(path)[0] + "-embedding.npy", Z)
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {"job": job, "seconds": seconds, "peak_kib": _common.status_kib("VmHWM")}
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--path", default="aembed-outofcore.npy")
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--slice", type=int, default=50_000, dest="slice_rows")
    parser.add_argument(
        "--jobs", nargs="+", default=["fit", "partial_fit", "transform"]
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    _common.add_common_args(parser)
    args = parser.parse_args()
    _common.apply_threads(args)
    if args.child:
        child(args.child, args.path, args.slice_rows)
        return
    if args.quick:
        args.rows, args.path = 20_000, args.path.replace(".npy", "-quick.npy")
    _common.print_header("Out-of-core fit, partial_fit and transform", args)

    if (
        not os.path.exists(args.path)
        or np.load(args.path, mmap_mode="r").shape[0] != args.rows
    ):
        start = time.perf_counter()
        write_rows(args.path, args.rows)
        print(f"wrote {args.path}: {time.perf_counter() - start:.0f} s")
    size = os.path.getsize(args.path)
    print(f"data: {args.rows:,} x 784 float32 memory map, {size / GB:.2f} GB on disk\n")

    rows = []
    for job in args.jobs:
        command = [sys.executable, __file__, "--path", args.path, "--child", job]
        command += ["--slice", str(args.slice_rows)]
        if args.threads:
            command += ["--threads", str(args.threads)]
        out = subprocess.run(command, capture_output=True, text=True, check=True)
        report = json.loads(out.stdout.strip().splitlines()[-1])
        peak = report["peak_kib"] * 1024 / GB
        rows.append([job, report["seconds"], peak, "yes" if peak < 1.5 else "NO"])
    _common.print_table(["job", "seconds", "peak RSS GB", "< 1.5 GB"], rows)
    _common.print_footer()


if __name__ == "__main__":
    main()
