"""Mini-batches for the net: views of one tensor, or rows read in blocks."""

import math
from typing import NamedTuple

import torch

from ..nn._random import generator


class Batch(NamedTuple):
    """A training or validation batch.

    ``x`` holds the rows; ``index`` their positions in the training tensor
    (for the neighbour term), or None; ``share`` is ``(offset, size)``, this
    process's place in the global batch of a data-parallel run, or None.
    """

    x: torch.Tensor
    index: torch.Tensor | None = None
    share: tuple | None = None


class BatchIterator:
    """Contiguous mini-batches of one tensor, reshuffled each pass if asked.

    Shuffling gathers the whole tensor once per epoch, then every batch is a
    view: no per-row indexing, no collate function. With ``with_index`` each
    batch carries its row indices. With ``world > 1`` every global batch of
    ``world * batch_size`` rows is cut into ``world`` equal shares and this
    process (``rank``) takes its own; the rows are first padded to a multiple
    of ``world`` by repeating the first ones, as PyTorch's
    ``DistributedSampler`` does, so that every process runs the same number
    of equal batches.
    """

    def __init__(
        self,
        X,
        batch_size,
        shuffle=False,
        device="cpu",
        with_index=False,
        rank=0,
        world=1,
    ):
        self.X = X
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = device
        self.with_index = with_index
        self.rank = rank
        self.world = world

    def _padded(self):
        return math.ceil(len(self.X) / self.world) * self.world

    def __len__(self):
        return math.ceil(self._padded() / (self.batch_size * self.world))

    def __iter__(self):
        X, order = self.X, None
        if self.shuffle:
            order = torch.randperm(
                len(X), device=X.device, generator=generator(X.device)
            )
            X = X[order]
        elif self.with_index:
            order = torch.arange(len(X), device=X.device)
        if self.world > 1 and self._padded() > len(X):
            extra = self._padded() - len(X)
            X = torch.cat([X, X[:extra]])
            order = None if order is None else torch.cat([order, order[:extra]])
        step = self.batch_size * self.world
        for start in range(0, len(X), step):
            stop = min(start + step, len(X))
            size = (stop - start) // self.world
            first = start + self.rank * size
            rows = slice(first, first + size)
            yield Batch(
                X[rows].to(self.device, non_blocking=True),
                order[rows] if self.with_index else None,
                (self.rank * size, stop - start) if self.world > 1 else None,
            )


class StreamIterator:
    """Mini-batches of rows read in blocks (:class:`~aembed._streaming.StreamedRows`).

    With ``world > 1``, this process's share of the blocks, in batches of
    the same sizes on every process.
    """

    def __init__(self, rows, batch_size, shuffle, device, rank=0, world=1):
        self.rows = rows
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.device = device
        self.rank = rank
        self.world = world

    def __len__(self):
        return math.ceil(len(self.rows) / (self.batch_size * self.world))

    def __iter__(self):
        batches = self.rows.batches(
            self.batch_size, self.shuffle, self.device, self.rank, self.world
        )
        for x in batches:
            share = (
                (self.rank * len(x), self.world * len(x)) if self.world > 1 else None
            )
            yield Batch(x, None, share)
