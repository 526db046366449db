"""PyTorch's state, which fits borrow and give back exactly.

A fit draws from generators of its own (:mod:`aembed.nn._random`), and the
flag that flushes subnormal floats belongs to the thread that sets it, so
fits in threads run side by side. The default dtype is process-wide: a fit
that has to change it (the caller set another) holds ``TORCH_STATE_LOCK``
meanwhile, so that such fits run one after the other.
"""

import contextlib
import threading

import torch

# Reentrant: loading a model inside a fit's callback builds a module again.
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
    would record no gradients. The default dtype is global: where it has to
    change, ``TORCH_STATE_LOCK`` is held meanwhile.
    """
    same = torch.get_default_dtype() == torch.float32
    with contextlib.nullcontext() if same else TORCH_STATE_LOCK:
        dtype = torch.get_default_dtype()
        torch.set_default_dtype(torch.float32)
        try:
            with torch.inference_mode(False), torch.enable_grad():
                yield
        finally:
            torch.set_default_dtype(dtype)
