"""The training run: the skorch net, its batches, callbacks and checkpoints.

- ``_net``: :class:`EmbedderNet`, the skorch net, which owns the state of a
  training run (the last completed epoch, interrupts, the checkpoint writer);
- ``_batches``: the mini-batch iterators it trains on;
- ``_callbacks``: every skorch callback aembed itself adds, in one place;
- ``_neighbors``: the neighbour-preserving term;
- ``_supervision``: the supervised term (a classifier head on the embedding);
- ``_checkpoint``: the checkpoint file and its writer;
- ``_setup``: what a fit sets up before skorch runs (device, seed, net, data).
"""

from ._callbacks import CALLBACK_NAMES, CodebookUsage, KLWarmup, training_callbacks
from ._checkpoint import CHECKPOINT_FILE, checkpoint_path, checkpoint_writer
from ._diagnostics import training_failures
from ._neighbors import NeighborTerm, neighbor_term, training_graph
from ._net import EmbedderNet
from ._setup import (
    device_and_parallel,
    draw_seed,
    make_net,
    resolve_epochs,
    scaled_rows,
    split,
    training_context,
    training_net,
    training_split,
)
from ._supervision import SupervisionTerm, add_head, supervision_term

__all__ = [
    "CALLBACK_NAMES",
    "CHECKPOINT_FILE",
    "CodebookUsage",
    "EmbedderNet",
    "KLWarmup",
    "NeighborTerm",
    "SupervisionTerm",
    "add_head",
    "checkpoint_path",
    "checkpoint_writer",
    "device_and_parallel",
    "draw_seed",
    "make_net",
    "neighbor_term",
    "resolve_epochs",
    "scaled_rows",
    "split",
    "supervision_term",
    "training_callbacks",
    "training_context",
    "training_graph",
    "training_net",
    "training_split",
    "training_failures",
]
