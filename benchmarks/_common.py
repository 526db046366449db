"""Helpers shared by the benchmark scripts: environment header, data, tables."""

import datetime
import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import torch

from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder

ESTIMATORS = {"dae": DenoisingAEEmbedder, "vae": VAEEmbedder, "vqvae": VQVAEEmbedder}


def status_kib(field):
    """A field of /proc/self/status in KiB (``VmRSS``, ``VmHWM``)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise KeyError(field)


def reset_peak():
    """Reset the kernel's peak-RSS counter (VmHWM); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        return False
    return True


def add_common_args(parser):
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="torch.set_num_threads(N) before anything runs (default: torch's "
        "own choice, which honours OMP_NUM_THREADS)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="tiny smoke run; numbers mean nothing"
    )


def apply_threads(args):
    if args.threads is not None:
        torch.set_num_threads(args.threads)


def _version(dist):
    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def print_header(title, args):
    """What ran, where, and how busy the machine was."""
    print(f"# {title}")
    print(f"command: {' '.join([os.path.basename(sys.executable), *sys.argv])}")
    print(f"date: {datetime.datetime.now().isoformat(timespec='seconds')}")
    print(f"machine: {platform.node()} {platform.machine()}, {os.cpu_count()} CPUs")
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"load average (1/5/15 min): {load}")
    print(
        f"torch threads: {torch.get_num_threads()} "
        f"(OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})"
    )
    dists = ["aembed", "torch", "skorch", "scikit-learn", "numpy"]
    dists += ["umap-learn", "openTSNE"]
    versions = ", ".join(f"{d} {_version(d)}" for d in dists)
    print(f"python {platform.python_version()}, {versions}")
    if getattr(args, "quick", False):
        print("QUICK SMOKE RUN: tiny sizes, the numbers below mean nothing")
    print()


def print_footer():
    load = ", ".join(f"{v:.2f}" for v in os.getloadavg())
    print(f"load average at the end (1/5/15 min): {load}")


def load_data(dataset="mnist-5k", tile=1, max_rows=None):
    """Rows (float32 in [0, 1]) and labels of the benchmark data set."""
    from aembed import datasets

    if dataset == "mnist-5k":
        X, y = datasets.load_mnist_5k(return_X_y=True)
    elif dataset == "fashion-mnist":
        X, y = datasets.load_fashion_mnist(return_X_y=True)
    else:
        raise ValueError(f"unknown dataset {dataset!r}")
    if tile > 1:
        X, y = np.tile(X, (tile, 1)), np.tile(y, tile)
    if max_rows is not None:
        X, y = X[:max_rows], y[:max_rows]
    return np.ascontiguousarray(X, dtype=np.float32), y


def fmt(value, digits=3):
    if value is None:
        return "-"
    if isinstance(value, str):
        return value
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:#.{digits}g}" if abs(value) < 1 else f"{value:,.{digits}f}"
    return f"{value:.2e}"


def print_table(headers, rows):
    """A plain-text table; numbers right-aligned."""
    cells = [[fmt(v) for v in row] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in cells)) if cells else len(h)
        for i, h in enumerate(headers)
    ]
    numeric = [
        all(not isinstance(row[i], str) for row in rows) for i in range(len(headers))
    ]

    def line(values):
        return "  ".join(
            v.rjust(w) if num else v.ljust(w)
            for v, w, num in zip(values, widths, numeric, strict=True)
        ).rstrip()

    print(line(headers))
    print(line(["-" * w for w in widths]))
    for row in cells:
        print(line(row))
    print()
