"""Random draws that data-parallel training splits exactly.

In data-parallel training each process computes one share of a global
mini-batch. Inside :func:`global_batch`, the draws the modules make for their
batch (corruption noise, the VAE's reparameterisation noise, the neighbour
term's choice of tails) are taken for the whole global batch and sliced to
the process's share: every process draws the same numbers, so their random
states stay in step, and together they use exactly the numbers one process
training on the whole global batch would. Outside, these are plain
``torch.randn_like`` and friends.
"""

import contextlib
import threading

import torch

_share = threading.local()


@contextlib.contextmanager
def global_batch(offset, size):
    """Draws for a batch are rows ``offset:`` of draws for ``size`` rows.

    Parameters
    ----------
    offset : int
        Position of this process's rows in the global batch.
    size : int
        Rows of the global batch.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn._random import global_batch, randn_like
    >>> _ = torch.manual_seed(0)
    >>> whole = torch.randn(4, 2)
    >>> _ = torch.manual_seed(0)
    >>> with global_batch(2, 4):
    ...     share = randn_like(torch.empty(2, 2))
    >>> torch.equal(share, whole[2:])
    True
    """
    previous = getattr(_share, "value", None)
    _share.value = (int(offset), int(size))
    try:
        yield
    finally:
        _share.value = previous


def _draw(sample, like):
    share = getattr(_share, "value", None)
    if share is None or like.dim() == 0:
        return sample(like.shape)
    offset, size = share
    return sample((size, *like.shape[1:]))[offset : offset + like.shape[0]]


def randn_like(x):
    """``torch.randn_like(x)``, split by :func:`global_batch` when inside one."""
    return _draw(lambda shape: torch.randn(shape, dtype=x.dtype, device=x.device), x)


def rand_like(x):
    """``torch.rand_like(x)``, split by :func:`global_batch` when inside one."""
    return _draw(lambda shape: torch.rand(shape, dtype=x.dtype, device=x.device), x)
