"""transform served by onnxruntime against aembed's own transform, and file sizes.

Each model is fitted briefly on MNIST-5k (its weights do not change the
timings) and exported with ``aembed.onnx.to_onnx``. Both sides then embed
the same rows with the same number of threads (``torch.set_num_threads`` and
onnxruntime's ``intra_op_num_threads``): ``--rows`` held-out digits (tiled),
in one call each, for throughput; and one row per call, for the latency of a
single request. Every measurement runs once untimed first; then the two
sides alternate, ``--repeats`` times, and the medians are reported, with
their ratio (onnxruntime's throughput over aembed's: above 1 is faster),
the largest difference between the two embeddings, and the sizes of the
ONNX file and of the ``.aembed`` file ``save`` writes.

    OMP_NUM_THREADS=2 python benchmarks/bench_export.py --threads 2
"""

import argparse
import os
import statistics
import tempfile
import time
import warnings

import _common
import numpy as np
import onnxruntime as ort

from aembed.onnx import to_onnx

MODELS = {
    "dae": ("dae", {}),
    "vae": ("vae", {}),
    "vqvae": ("vqvae", {}),
    "vqvae-quantize": ("vqvae", {"quantize": True}),
    "vae-conv": ("vae", {"image_shape": (28, 28)}),
}


def median_seconds(func, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def session_for(model, threads):
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    _common.add_common_args(parser)
    parser.add_argument("--models", nargs="+", choices=MODELS, default=list(MODELS))
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--fit-rows", type=int, default=2_000)
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--single-calls", type=int, default=200)
    args = parser.parse_args()
    if args.quick:
        args.rows, args.fit_rows, args.repeats, args.single_calls = 500, 300, 2, 10
    _common.apply_threads(args)
    import torch

    threads = torch.get_num_threads()
    _common.print_header("onnxruntime transform vs aembed transform", args)
    print(f"onnxruntime {ort.__version__}, intra-op threads {threads}")
    print()

    X, _ = _common.load_data()
    X_fit, X_new = X[: args.fit_rows], X[4_000:]
    rows = np.ascontiguousarray(np.resize(X_new, (args.rows, X.shape[1])))
    one = rows[:1]

    table = []
    for name in args.models:
        kind, params = MODELS[name]
        est = _common.ESTIMATORS[kind](max_epochs=args.epochs, random_state=0, **params)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # undertrained on purpose
            est.fit(X_fit)
        model = to_onnx(est)
        session = session_for(model, threads)

        def served(batch, session=session):
            return session.run(None, {"X": batch})[0]

        diff = float(np.abs(served(rows) - est.transform(rows)).max())
        est.transform(one), served(one)  # warm-up of the one-row path
        bulk = {"aembed": [], "onnxruntime": []}
        single = {"aembed": [], "onnxruntime": []}
        for _ in range(args.repeats):  # alternate, so load drifts hit both
            for side, fn in (("aembed", est.transform), ("onnxruntime", served)):
                bulk[side].append(median_seconds(lambda fn=fn: fn(rows), 1))
                single[side].append(
                    median_seconds(lambda fn=fn: fn(one), args.single_calls)
                )
        bulk = {k: statistics.median(v) for k, v in bulk.items()}
        single = {k: statistics.median(v) for k, v in single.items()}
        with tempfile.TemporaryDirectory() as folder:
            est.save(os.path.join(folder, "model.aembed"))
            aembed_kib = os.path.getsize(os.path.join(folder, "model.aembed")) / 1024
        table.append(
            [
                name,
                args.rows / bulk["aembed"],
                args.rows / bulk["onnxruntime"],
                bulk["aembed"] / bulk["onnxruntime"],
                single["aembed"] * 1e6,
                single["onnxruntime"] * 1e6,
                single["aembed"] / single["onnxruntime"],
                diff,
                model.ByteSize() / 1024,
                aembed_kib,
            ]
        )
    print(f"{args.rows:,} rows per call for throughput; 1 row per call for latency")
    _common.print_table(
        [
            "model",
            "aembed rows/s",
            "onnxruntime rows/s",
            "ratio",
            "aembed 1-row us",
            "ort 1-row us",
            "ratio",
            "max |diff|",
            "ONNX KiB",
            ".aembed KiB",
        ],
        table,
    )
    _common.print_footer()


if __name__ == "__main__":
    main()
