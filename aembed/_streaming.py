"""Training and inference on arrays larger than memory.

A memory-mapped ``.npy`` file, a zarr array, an HDF5 dataset or a Dask array
is read in blocks of rows: one pass computes the scaling statistics (and
checks every value), then each epoch visits the blocks in a new random
order, a few at a time, and shuffles the rows of those blocks. Memory stays
bounded by a few blocks whatever the number of rows. A memory map is read
with plain file reads rather than through the map, so that the pages read
do not accumulate in the process's resident memory.
"""

import math
import mmap
import os
from numbers import Integral

import numpy as np
import scipy.sparse as sp
import torch

from ._scaling import ColumnStats, apply_scaling
from .nn._random import generator as random_generator

# Out-of-core arrays up to this size (as float32) are simply loaded.
STREAM_ABOVE_BYTES = 2**30
# Rows per block: about this many bytes of float32 values.
BLOCK_BYTES = 32 * 2**20
# Blocks whose rows are shuffled together in an epoch.
BLOCKS_PER_GROUP = 4


def is_out_of_core(X):
    """Whether ``X`` is read in blocks rather than loaded into memory.

    True for arrays stored outside memory and larger than
    ``STREAM_ABOVE_BYTES`` as float32: :class:`numpy.memmap`, and array-likes
    that are not NumPy arrays but have a 2-D ``shape``, a NumPy ``dtype`` and
    row slicing (zarr arrays, h5py datasets, Dask arrays). Smaller ones are
    loaded and treated exactly as NumPy arrays.
    """
    if not isinstance(X, np.memmap):
        if isinstance(X, np.ndarray) or sp.issparse(X) or torch.is_tensor(X):
            return False
        if not all(hasattr(X, a) for a in ("shape", "dtype", "__getitem__")):
            return False
        if hasattr(X, "columns") or hasattr(X, "iloc"):  # pandas and lookalikes
            return False
        try:
            np.dtype(X.dtype)
        except TypeError:
            return False
    shape = tuple(X.shape)
    return len(shape) == 2 and 4 * math.prod(shape) > STREAM_ABOVE_BYTES


def load_memmap(X):
    """A memory map's rows read into memory with file reads, else ``X``.

    The values are what the map holds, in its dtype, but no page of the map
    becomes resident in the process: a loop of ``partial_fit`` over slices
    of a memory map larger than memory stays bounded in memory.
    """
    layout = _file_layout(X)
    if layout is None:
        return X
    return _pread(layout, 0, np.empty(X.shape, dtype=layout[2]))


class BlockReader:
    """Blocks of rows of an out-of-core array, as checked float32 arrays.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        See :func:`is_out_of_core`.
    block_bytes : int, default=None
        Target size of one block in float32 (None: ``BLOCK_BYTES``); blocks
        follow the storage's row chunks (zarr, HDF5, Dask) when it has them.
    min_blocks : int, default=1
        Make blocks small enough that there are at least this many (for a
        validation split by blocks), the storage's chunks permitting.
    """

    def __init__(self, X, block_bytes=None, min_blocks=1):
        dtype = np.dtype(X.dtype)
        if dtype.kind not in "biuf":
            raise ValueError(
                f"X must hold numbers; got an array of dtype {dtype} "
                f"({type(X).__name__})."
            )
        n_samples, n_features = (int(s) for s in X.shape)
        if n_samples < 1 or n_features < 1:
            raise ValueError(
                f"Found array with shape {tuple(X.shape)}; at least one sample "
                "and one feature are required."
            )
        self.X = X
        self.shape = (n_samples, n_features)
        rows = max(1, (block_bytes or BLOCK_BYTES) // (4 * n_features))
        rows = min(rows, max(1, math.ceil(n_samples / min_blocks)))
        chunk = _row_chunk(X)
        if chunk:
            rows = max(chunk, rows // chunk * chunk)
        self.block_rows = min(rows, n_samples)
        self.n_blocks = math.ceil(n_samples / self.block_rows)
        self._file = _file_layout(X)
        # Values as precise as float32 can hold them are read as float32;
        # wider ones (float64, large integers) in float64, until scaled.
        self.precise = (
            np.float32 if dtype.itemsize <= 2 or dtype == np.float32 else np.float64
        )

    def __len__(self):
        return self.shape[0]

    def bounds(self, block):
        start = block * self.block_rows
        return start, min(start + self.block_rows, self.shape[0])

    def read(self, start, stop, out=None, dtype=np.float32):
        """Rows ``start:stop`` as a C-contiguous, writable ``dtype`` array.

        ``out``, an array of that shape, receives them when given.
        """
        shape = (stop - start, self.shape[1])
        if out is None:
            out = np.empty(shape, dtype=dtype)
        if self._file is not None and self._file[2] == out.dtype:
            _pread(self._file, start, out)
        elif self._file is not None:
            out[...] = _pread(self._file, start, np.empty(shape, self._file[2]))
        else:
            out[...] = np.asarray(self.X[start:stop])
        if not np.isfinite(out).all():
            raise ValueError(
                f"Input X contains NaN or infinity (in rows {start} to {stop - 1})."
            )
        return out

    def block(self, block):
        return self.read(*self.bounds(block))

    def blocks(self):
        """``(start, rows)`` for every block, in order."""
        for block in range(self.n_blocks):
            start, stop = self.bounds(block)
            yield start, self.read(start, stop)

    def statistics(self):
        """Column statistics of all rows, in one pass (values checked)."""
        stats = ColumnStats(self.shape[1])
        for block in range(self.n_blocks):
            stats.update(self.read(*self.bounds(block), dtype=self.precise))
        return stats


def _pread(layout, start, out):
    """Fill ``out`` with the rows from ``start`` of a file laid out as ``layout``."""
    path, offset, dtype = layout
    view = memoryview(out).cast("B")
    position = offset + start * out.shape[1] * dtype.itemsize
    with open(path, "rb", buffering=0) as f:
        done = 0
        while done < len(view):
            n = os.preadv(f.fileno(), [view[done:]], position + done)
            if n == 0:
                raise ValueError(f"{path} ended before row {start + len(out) - 1}.")
            done += n
    return out


def _row_chunk(X):
    """Rows per storage chunk (zarr, HDF5, Dask), or None."""
    chunks = getattr(X, "chunks", None)
    if not chunks:
        return None
    first = chunks[0]
    if isinstance(first, tuple):  # Dask: the sizes of every chunk
        first = max(first)
    return int(first) if isinstance(first, Integral) and first > 0 else None


def _file_layout(X):
    """``(path, byte offset of row 0, dtype)`` of a C-ordered memory map.

    None when ``X`` is not one (or a view of one that skips rows or
    columns): it is then read through the map.
    """
    if not isinstance(X, np.memmap) or not isinstance(X.filename, str | os.PathLike):
        return None
    mm = getattr(X, "_mmap", None)
    if mm is None or X.ndim != 2 or not X.flags.c_contiguous:
        return None
    region = np.frombuffer(mm, dtype=np.uint8)
    region_start = X.offset - X.offset % mmap.ALLOCATIONGRANULARITY
    position = region_start + (X.ctypes.data - region.ctypes.data)
    return os.fspath(X.filename), position, X.dtype


class StreamedRows:
    """The rows of some blocks of a :class:`BlockReader`, scaled on reading.

    What the training loop iterates over in place of an in-memory tensor:
    :meth:`batches` yields mini-batches on ``device``, each epoch visiting
    the blocks in a new order (drawn from the fit's random stream), a group
    of ``BLOCKS_PER_GROUP`` at a time, with the rows of a group shuffled
    together.
    """

    def __init__(self, reader, blocks, offset, scale):
        self.reader = reader
        self.blocks = list(blocks)
        self.offset = offset
        self.scale = scale
        self.n_rows = sum(
            stop - start for start, stop in map(reader.bounds, self.blocks)
        )

    def __len__(self):
        return self.n_rows

    @property
    def shape(self):
        return (len(self), self.reader.shape[1])

    def _load(self, blocks):
        """The scaled rows of some blocks, read into one buffer."""
        bounds = [self.reader.bounds(b) for b in blocks]
        rows = np.empty(
            (sum(b - a for a, b in bounds), self.reader.shape[1]), np.float32
        )
        at = 0
        for start, stop in bounds:
            if self.reader.precise == np.float32:
                self.reader.read(start, stop, out=rows[at : at + stop - start])
            else:  # scaled before the cast: 1e6 + 0.01 keeps its 0.01
                rows[at : at + stop - start] = apply_scaling(
                    self.reader.read(start, stop, dtype=np.float64),
                    self.offset,
                    self.scale,
                )
            at += stop - start
        if self.reader.precise == np.float32:
            # In place: the same float32 operations as apply_scaling, no copy.
            np.subtract(rows, self.offset.astype(np.float32), out=rows)
            np.divide(rows, self.scale, out=rows)
        return torch.from_numpy(rows)

    def subset(self, blocks):
        """The rows of some of these blocks."""
        return StreamedRows(self.reader, blocks, self.offset, self.scale)

    def batches(self, batch_size, shuffle, device, rank=0, world=1):
        """Mini-batches of the scaled rows, as tensors on ``device``.

        Rows are gathered batch by batch (no shuffled copy of a group); the
        rows left over at the end of a group open the next group's first
        batch, so that every batch but the last is full. In a data-parallel
        run (``world > 1``) each process reads its share of the blocks
        (every ``world``-th of the shared order, padded as PyTorch's
        ``DistributedSampler`` pads) and yields as many rows, in batches of
        the same sizes, as the largest share holds, starting over on its own
        share when it runs out; its rows are shuffled by a generator of its
        own, so that the shared random stream stays in step.
        """
        order = self.blocks
        if shuffle:
            draw = torch.randperm(len(order), generator=random_generator("cpu"))
            order = [order[i] for i in draw.tolist()]
        if world == 1:
            yield from self._batches(order, batch_size, shuffle, device)
            return
        padded = order + order[: -len(order) % world]
        shares = [padded[r::world] for r in range(world)]
        n_rows = max(sum(b - a for a, b in map(self.reader.bounds, s)) for s in shares)
        seed = int(
            torch.randint(2**62, (1,), generator=random_generator("cpu"))
        )  # the same draw on every process
        generator = torch.Generator().manual_seed(seed + rank)

        def again():
            while True:
                yield from self._batches(
                    shares[rank], batch_size, shuffle, device, generator
                )

        pending, stream = [], again()
        for start in range(0, n_rows, batch_size):
            size = min(batch_size, n_rows - start)
            while sum(map(len, pending)) < size:
                pending.append(next(stream))
            joined = torch.cat(pending) if len(pending) > 1 else pending[0]
            yield joined[:size]
            pending = [joined[size:]]

    def _batches(self, order, batch_size, shuffle, device, generator=None):
        """The batches of the blocks ``order``, a group of blocks at a time."""
        pending = []
        if generator is None:
            generator = random_generator("cpu")
        for first in range(0, len(order), BLOCKS_PER_GROUP):
            rows = self._load(order[first : first + BLOCKS_PER_GROUP])
            index = torch.randperm(len(rows), generator=generator) if shuffle else None
            for start in range(0, len(rows), batch_size):
                piece = (
                    rows[index[start : start + batch_size]]
                    if shuffle
                    else rows[start : start + batch_size]
                )
                if not pending and len(piece) == batch_size:
                    yield piece.to(device, non_blocking=True)
                    continue
                pending.append(piece)
                if sum(map(len, pending)) >= batch_size:
                    joined = torch.cat(pending)
                    yield joined[:batch_size].to(device, non_blocking=True)
                    pending = [joined[batch_size:]]
            # Let the group's buffer go before the next one is read.
            pending = [piece.clone() for piece in pending]
            rows = index = piece = None
        if pending and sum(map(len, pending)):
            yield torch.cat(pending).to(device, non_blocking=True)
