"""PyTorch's process-wide state, which fits borrow and give back exactly.

Seeding a fit means seeding PyTorch's global generators, and training fast
on the CPU means flushing subnormal floats; both are global state. Every
piece of aembed that changes it holds ``TORCH_STATE_LOCK`` meanwhile, so
that fits in threads run one after the other and each draws exactly what
it would draw alone.
"""

import contextlib
import threading

import torch

# Reentrant: a fit may build a neighbour graph, which forks the stream again.
TORCH_STATE_LOCK = threading.RLock()


def flush_denormal_enabled():
    """Whether this thread's floating-point unit flushes subnormal floats.

    PyTorch can set the flag but not report it; a subnormal float32 that a
    multiplication turns into zero tells.

    Examples
    --------
    >>> import torch
    >>> before = flush_denormal_enabled()
    >>> _ = torch.set_flush_denormal(True)
    >>> flush_denormal_enabled() or not torch.set_flush_denormal(True)
    True
    >>> _ = torch.set_flush_denormal(before)
    """
    tiny = torch.full((1,), 1e-40, dtype=torch.float32)
    return bool((tiny * 0.5).item() == 0.0)


@contextlib.contextmanager
def float32_autograd():
    """Modules built in float32 and gradients recorded, whatever the caller set.

    A caller's ``torch.set_default_dtype(torch.float64)`` would build float64
    weights for float32 data, and ``torch.inference_mode()`` around ``fit``
    would record no gradients. Hold ``TORCH_STATE_LOCK``: the default dtype
    is global.
    """
    dtype = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)
    try:
        with torch.inference_mode(False), torch.enable_grad():
            yield
    finally:
        torch.set_default_dtype(dtype)
