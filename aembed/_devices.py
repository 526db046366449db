"""Device names: what ``device`` may be, resolved and checked before any work.

Shared by the estimators' ``fit`` and :func:`aembed.load`.
"""

import torch

# The device types the estimators train and infer on.
_TYPES = ("cpu", "cuda", "mps")


def resolve_device(device):
    """The torch device string for ``device``, checked to be usable here.

    Parameters
    ----------
    device : str or torch.device
        ``"auto"`` (CUDA when PyTorch sees a GPU, else the CPU), or anything
        :class:`torch.device` accepts of type ``cpu``, ``cuda`` (``"cuda"``,
        ``"cuda:1"``) or ``mps``.

    Returns
    -------
    device : str
        ``"cpu"``, ``"cuda"``, ``"cuda:N"`` or ``"mps"``.

    Raises
    ------
    ValueError
        If PyTorch does not know the device, aembed does not run on its
        type, or it is not available on this machine; the message says why.

    Examples
    --------
    >>> import torch
    >>> resolve_device("cpu"), resolve_device(torch.device("cpu"))
    ('cpu', 'cpu')
    """
    if isinstance(device, str) and device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError, ValueError):
        raise ValueError(
            f"device={device!r} is not a device PyTorch knows; use 'cpu', "
            "'cuda', 'cuda:N', 'mps' or 'auto'."
        ) from None
    if parsed.type not in _TYPES:
        raise ValueError(
            f"device={device!r} is a {parsed.type!r} device; aembed runs on "
            "'cpu', 'cuda' (or 'cuda:N') and 'mps', or 'auto'."
        )
    if parsed.type == "cpu":
        return "cpu"
    if parsed.type == "mps":
        if not torch.backends.mps.is_available():
            raise ValueError(
                f"device={device!r} was requested but MPS is not available (it "
                "needs an Apple-silicon Mac and a PyTorch build with MPS); use "
                "device='cpu'."
            )
        return "mps"
    if not torch.cuda.is_available():
        reason = (
            "this PyTorch build has no CUDA support"
            if torch.version.cuda is None
            else "no CUDA device is visible"
        )
        raise ValueError(
            f"device={device!r} was requested but {reason}; use device='cpu' or 'auto'."
        )
    count = torch.cuda.device_count()
    if parsed.index is not None and parsed.index >= count:
        raise ValueError(
            f"device={device!r} was requested but PyTorch sees {count} CUDA "
            f"device{'s' if count != 1 else ''} (cuda:0 to cuda:{count - 1}); "
            "check CUDA_VISIBLE_DEVICES or choose another index."
        )
    return str(parsed)


def cpu_generation():
    """PyTorch's CPU kernel level, and AMX where the CPU has it.

    Seeded results are bit-identical on one CPU generation, not across
    them: the math libraries pick their float32 matrix kernels by CPU
    generation, and a CPU with AMX tiles (Sapphire Rapids and later) rounds
    some products differently from one without, at the same kernel level.

    Examples
    --------
    >>> import torch
    >>> from aembed._devices import cpu_generation
    >>> cpu_generation().startswith(torch.backends.cpu.get_cpu_capability())
    True
    """
    level = torch.backends.cpu.get_cpu_capability()
    try:
        with open("/proc/cpuinfo") as f:
            amx = "amx_tile" in f.read().split()
    except OSError:
        amx = False
    return f"{level} with AMX" if amx else level
