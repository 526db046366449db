"""The GPU path: fit Fashion-MNIST and transform a million rows on CUDA and on CPU.

One short script for a machine with a CUDA device (it says so and exits 0
where there is none). In one run, on Fashion-MNIST's 60,000 training images
(``--dataset mnist-5k`` elsewhere), it measures:

- seconds per training epoch of each estimator (default network, batch
  size ``--batch-size``) on ``cuda`` and on the CPU, after a warm-up epoch,
  and the speed-up;
- a whole default ``DenoisingAEEmbedder`` fit on ``cuda``, with and without
  the neighbour-preserving term, and with ``mixed_precision=True``, with
  held-out 5-NN accuracy of the 10,000 test images for a sanity check;
- ``transform`` of 1,000,000 rows (the test images tiled) on ``cuda`` and on
  the CPU, and the speed-up;
- the same DAE fit data-parallel under ``torchrun``: on every GPU when there
  are several (its speed-up over one GPU), and with a single process and
  ``distributed=True`` on one GPU, which checks the NCCL path.

It runs in well under five minutes on one recent GPU.

    python benchmarks/bench_gpu.py
"""

import argparse
import json
import os
import subprocess
import sys
import time

import _common
import numpy as np
import torch

from aembed import DenoisingAEEmbedder
from aembed.metrics import knn_accuracy


def seconds_per_epoch(cls, X, device, batch_size, epochs):
    """Median epoch time of a fit, the first (warm-up) epoch left out."""
    est = cls(
        device=device,
        batch_size=batch_size,
        max_epochs=1 + epochs,
        tol=None,
        random_state=0,
    ).fit(X)
    return float(np.median(est.history_["dur"].to_numpy()[1:]))


def timed(func, *args):
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    start = time.perf_counter()
    result = func(*args)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return result, time.perf_counter() - start


def load(dataset, quick):
    """Training and test rows and labels."""
    from aembed import datasets

    if dataset == "fashion-mnist":
        X, y = datasets.load_fashion_mnist(return_X_y=True)
        X_test, y_test = datasets.load_fashion_mnist(subset="test", return_X_y=True)
    else:
        from sklearn.model_selection import train_test_split

        X_all, y_all = datasets.load_mnist_5k(return_X_y=True)
        X, X_test, y, y_test = train_test_split(
            X_all, y_all, test_size=0.2, stratify=y_all, random_state=0
        )
    X, X_test = X.astype(np.float32), X_test.astype(np.float32)
    if quick:
        X, y, X_test, y_test = X[:3000], y[:3000], X_test[:1000], y_test[:1000]
    return X, y, X_test, y_test


def data_parallel_child(args):
    """Runs under torchrun: one data-parallel DAE fit; rank 0 prints JSON."""
    X, y, X_test, y_test = load(args.dataset, args.quick)
    est = DenoisingAEEmbedder(device=args.device, distributed=True, random_state=0)
    if args.quick:
        est.set_params(max_epochs=2)
    _, fit_s = timed(est.fit, X)
    score = knn_accuracy(est.transform(X), y, est.transform(X_test), y_test)
    if os.environ.get("RANK", "0") == "0":
        print(json.dumps({"seconds": fit_s, "epochs": est.n_iter_, "score": score}))


def data_parallel_row(args, n_processes):
    torchrun = os.path.join(os.path.dirname(sys.executable), "torchrun")
    command = [torchrun, "--standalone", "--nproc_per_node", str(n_processes)]
    command += [__file__, "--child", "--dataset", args.dataset]
    command += ["--device", args.device] + (["--quick"] if args.quick else [])
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        return [f"DAE, data-parallel x{n_processes}: FAILED", 0, float("nan"), 0.0]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    label = f"DAE, data-parallel, {n_processes} process" + "es" * (n_processes > 1)
    return [label, report["epochs"], report["seconds"], report["score"]]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--dataset", default="fashion-mnist", choices=["mnist-5k", "fashion-mnist"]
    )
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--transform-rows", type=int, default=1_000_000)
    parser.add_argument(
        "--device",
        default="cuda",
        help="the accelerator to compare with the CPU (any PyTorch device name)",
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    _common.add_common_args(parser)
    args = parser.parse_args()
    _common.apply_threads(args)
    if args.child:
        data_parallel_child(args)
        return
    device = torch.device(args.device)
    if device.type == "cuda" and not torch.cuda.is_available():
        print("bench_gpu.py: no CUDA device is visible; nothing to measure.")
        return
    _common.print_header(f"GPU path: {args.device} against the CPU", args)
    if device.type == "cuda":
        print(
            f"device: {torch.cuda.get_device_name(device)}, CUDA {torch.version.cuda}"
        )

    X, y, X_test, y_test = load(args.dataset, args.quick)
    epochs = 1 if args.quick else args.epochs
    if args.quick:
        args.transform_rows = 20_000
    print(f"data: {args.dataset}, {len(X):,} training rows x {X.shape[1]}\n")

    rows = []
    for name, cls in _common.ESTIMATORS.items():
        cpu = seconds_per_epoch(cls, X, "cpu", args.batch_size, epochs)
        gpu = seconds_per_epoch(cls, X, args.device, args.batch_size, epochs)
        rows.append([name, cpu, gpu, cpu / gpu])
    print(f"seconds per epoch at batch size {args.batch_size}:")
    _common.print_table(["estimator", "cpu s", f"{args.device} s", "speed-up"], rows)

    rows = []
    fits = {
        "DAE": {},
        "DAE, mixed precision": {"mixed_precision": True},
        "DAE, neighbor_weight=1": {"neighbor_weight": 1.0},
    }
    for label, extra in fits.items():
        est = DenoisingAEEmbedder(device=args.device, random_state=0, **extra)
        if args.quick:
            est.set_params(max_epochs=2)
        _, fit_s = timed(est.fit, X)
        score = knn_accuracy(est.transform(X), y, est.transform(X_test), y_test)
        rows.append([label, est.n_iter_, fit_s, score])
    if device.type == "cuda":
        # Several GPUs: all of them; one GPU: one process, the NCCL path.
        rows.append(data_parallel_row(args, max(1, torch.cuda.device_count())))
    elif args.quick:
        rows.append(data_parallel_row(args, 2))  # the gloo path, for a smoke run
    print(f"whole fits on {args.device}:")
    _common.print_table(["fit", "epochs", "seconds", "held-out 5-NN"], rows)

    many = np.resize(X_test, (args.transform_rows, X_test.shape[1]))
    on_gpu = DenoisingAEEmbedder(device=args.device, max_epochs=1, random_state=0)
    on_gpu.fit(X[:5000])
    on_cpu = DenoisingAEEmbedder(device="cpu", max_epochs=1, random_state=0)
    on_cpu.fit(X[:5000])
    on_gpu.transform(many[:10_000]), on_cpu.transform(many[:10_000])  # warm-up
    Z_gpu, gpu_s = timed(on_gpu.transform, many)
    _, cpu_s = timed(on_cpu.transform, many)
    assert Z_gpu.shape == (len(many), 2) and np.isfinite(Z_gpu).all()
    print(f"transform of {len(many):,} rows:")
    _common.print_table(
        ["device", "seconds", "rows / s"],
        [["cpu", cpu_s, len(many) / cpu_s], [args.device, gpu_s, len(many) / gpu_s]],
    )
    print(f"transform speed-up over the CPU: {cpu_s / gpu_s:.1f}x")
    _common.print_footer()


if __name__ == "__main__":
    main()
