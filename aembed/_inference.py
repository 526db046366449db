"""Inference: one row-mapping helper that every caller uses.

``map_rows`` applies a step of the fitted module to the rows of an array (or
of a block reader), chunk by chunk, in memory bounded by the chunk. It
serves ``transform``, ``inverse_transform``, ``reconstruct``, ``score``,
``score_samples``, ``predict``, ``VAEEmbedder.sample`` and the
``LatentSnapshots`` callback.

Matrix products compute a row alike in any block of a multiple of a few
rows, but take other kernels for leftover rows, whose results differ in the
last bits. That is harmless for an embedding, but not for the nearest of
1,024 codes, and scikit-learn expects ``predict`` and ``transform`` of a row
alone to equal its value among others. Every block is therefore padded
with zero rows to a multiple of ``ROW_MULTIPLE``.
"""

import numpy as np
import torch

from ._scaling import apply_scaling, undo_scaling
from ._streaming import BlockReader

ROW_MULTIPLE = 64
# Rows per inference chunk, at least; on a GPU chunks are larger: fewer
# launches and transfers.
MIN_INFERENCE_BATCH = 4096
MIN_CUDA_BATCH = 65536


def rowwise(fn, x):
    """``fn(x)``, as computed on ``x`` padded with zero rows to a multiple of 64.

    Parameters
    ----------
    fn : callable
        Maps a tensor of rows to a tensor with one row per input row.
    x : torch.Tensor of shape (n, ...)
        The rows.

    Returns
    -------
    out : torch.Tensor of shape (n, ...)

    Examples
    --------
    >>> import torch
    >>> from aembed._inference import rowwise
    >>> layer = torch.nn.Linear(3, 1)
    >>> x = torch.rand(5, 3)
    >>> bool((rowwise(layer, x[:1]) == rowwise(layer, x)[:1]).all())
    True
    """
    n = len(x)
    tail = n % ROW_MULTIPLE
    if not tail:
        return fn(x)
    # Only the leftover rows are padded (copied): a row's result is the same
    # in any block of a multiple of ROW_MULTIPLE rows.
    padded = x.new_zeros((ROW_MULTIPLE, *x.shape[1:]))
    padded[:tail] = x[n - tail :]
    last = fn(padded)[:tail]
    if n == tail:
        return last
    return torch.cat([fn(x[: n - tail]), last])


def chunk_size(batch_size, device):
    """Rows per inference chunk on ``device`` for a net of ``batch_size``."""
    floor = (
        MIN_CUDA_BATCH if torch.device(device).type == "cuda" else MIN_INFERENCE_BATCH
    )
    return max(batch_size, floor)


def chunks(X, chunk):
    """``(start, rows)`` over an array, or over the blocks of a reader.

    A reader's blocks are split into chunks of at most ``chunk`` rows (None:
    whole blocks).
    """
    if isinstance(X, BlockReader):
        for first, rows in X.blocks():
            step = chunk or len(rows)
            for start in range(0, len(rows), step):
                yield first + start, rows[start : start + step]
    else:
        for start in range(0, X.shape[0], chunk):
            yield start, X[start : start + chunk]


def map_rows(
    net, X, step, n_out, *, scale_in=None, unscale_out=None, check_finite=True
):
    """``step(module, x)`` for every row of ``X``, as a float32 array.

    Parameters
    ----------
    net : EmbedderNet
        The fitted net: its module, device, batch size and precision.
    X : ndarray or BlockReader of shape (n_samples, n_in)
        The rows, read one chunk at a time.
    step : callable
        ``step(module, x) -> tensor of shape (len(x), n_out)``.
    n_out : int or None
        Width of the result; None: that of the first chunk's.
    scale_in, unscale_out : (offset, scale) or None
        Input map applied to every chunk before ``step``, undone on its
        result after it; None for neither.
    check_finite : bool, default=True
        Refuse a result with non-finite values.

    Returns
    -------
    out : ndarray of shape (n_samples, n_out), float32
    """
    module = net.module_
    was_training = module.training
    module.eval()
    device = net.device
    out = None if n_out is None else np.empty((X.shape[0], n_out), np.float32)
    chunk = chunk_size(net.batch_size, device)
    try:
        with torch.inference_mode():
            for start, block in chunks(X, chunk):
                if scale_in is not None:
                    block = apply_scaling(block, *scale_in)
                with np.errstate(over="ignore"):  # non-finite output is refused below
                    block = np.ascontiguousarray(block, dtype=np.float32)
                if not block.flags.writeable:  # torch wants writable memory
                    block = block.copy()
                x = torch.from_numpy(block).to(device)
                with net.autocast():
                    result = rowwise(lambda x: step(module, x), x)
                result = result.float().cpu().numpy()
                if unscale_out is not None:
                    result = undo_scaling(result, *unscale_out)
                if out is None:
                    out = np.empty((X.shape[0], result.shape[1]), np.float32)
                out[start : start + len(block)] = result
    finally:
        module.train(was_training)
    if check_finite and not np.isfinite(out).all():
        raise ValueError(
            "The network produced non-finite values; the input is likely far "
            "outside the range of the training data."
        )
    return out
