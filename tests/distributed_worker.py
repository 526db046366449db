"""Run by ``torchrun`` from test_distributed.py: data-parallel fits on CPU.

Every process fits the same estimators on the same data with
``distributed="auto"`` (so data-parallel), and rank 0 also fits single-process
references at twice the batch size. Each process writes what it saw to
``<out>/rank<r>.pt``; rank 0 saves its estimators to ``<out>/<name>.aembed``.
"""

import os
import pickle
import sys

import numpy as np
import torch
from sklearn.datasets import load_digits

from aembed import DenoisingAEEmbedder, VAEEmbedder, VQVAEEmbedder

ESTIMATORS = {"dae": DenoisingAEEmbedder, "vae": VAEEmbedder, "vqvae": VQVAEEmbedder}
BATCH = 32


def params(cls, neighbor_weight):
    extra = {"n_codes": 16} if cls is VQVAEEmbedder else {}
    return dict(
        hidden_layer_sizes=(16,),
        max_epochs=3,
        batch_size=BATCH,
        tol=None,
        random_state=0,
        neighbor_weight=neighbor_weight,
        n_neighbors=5,
        **extra,
    )


def main(out):
    torch.set_num_threads(1)
    rank = int(os.environ["RANK"])
    X = load_digits(return_X_y=True)[0][:256].astype(np.float32)
    report = {}
    for name, cls in ESTIMATORS.items():
        for weight in (0.0, 0.5):
            key = f"{name}-{weight}"
            est = cls(**params(cls, weight)).fit(X)
            entry = {
                "state": {
                    k: v.clone() for k, v in est.net_.module_.state_dict().items()
                },
                "history": est.history_.drop(columns="dur").to_numpy(),
                "dur": est.history_["dur"].to_numpy(),
                "batches": [row["train_batch_count"] for row in est.net_.history],
                "Z": est.transform(X),
                "plain": est.net_.data_parallel_ is None,
                "pickles": len(pickle.dumps(est)) > 0,
            }
            est.save(os.path.join(out, f"{key}-rank{rank}.aembed"))
            # partial_fit: each process trains on its share of the block.
            inc = cls(**params(cls, weight)).partial_fit(X).partial_fit(X)
            entry["partial"] = inc.transform(X)
            # The fitted estimator trains on alone afterwards.
            inc.set_params(distributed=False).partial_fit(
                X[rank * 128 : (rank + 1) * 128]
            )
            if rank == 0:
                single = dict(
                    params(cls, weight), batch_size=2 * BATCH, distributed=False
                )
                entry["single"] = cls(**single).fit(X).transform(X)
                entry["single_partial"] = (
                    cls(**single).partial_fit(X).partial_fit(X).transform(X)
                )
            report[key] = entry
    # Rows read in blocks from disk: each process reads its share of them.
    import aembed._streaming as streaming

    streaming.STREAM_ABOVE_BYTES, streaming.BLOCK_BYTES = 0, 20 * 64 * 4
    path = os.path.join(out, f"X{rank}.npy")
    np.save(path, X[:250])
    est = DenoisingAEEmbedder(**params(DenoisingAEEmbedder, 0.0))
    est.fit(np.load(path, mmap_mode="r"))
    report["streamed"] = {
        "state": {k: v.clone() for k, v in est.net_.module_.state_dict().items()},
        "history": est.history_.drop(columns="dur").to_numpy(),
        "batches": [row["train_batch_count"] for row in est.net_.history],
    }
    torch.save(report, os.path.join(out, f"rank{rank}.pt"))


if __name__ == "__main__":
    main(sys.argv[1])
