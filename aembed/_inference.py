"""Inference whose result for a row does not depend on the rows beside it.

Matrix products compute a row alike in any block of a multiple of a few
rows, but take other kernels for leftover rows, whose results differ in the
last bits. That is harmless for an embedding, but not for the nearest of
1,024 codes, and scikit-learn expects ``predict`` and ``transform`` of a row
alone to equal its value among others. Every block is therefore padded
with zero rows to a multiple of ``ROW_MULTIPLE``.
"""

import torch

ROW_MULTIPLE = 64


def rowwise(fn, x):
    """``fn(x)``, computed on ``x`` padded with zero rows, cut back to ``len(x)``.

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
    padding = -n % ROW_MULTIPLE
    if padding:
        x = torch.cat([x, x.new_zeros((padding, *x.shape[1:]))])
    return fn(x)[:n]
