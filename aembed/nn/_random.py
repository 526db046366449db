"""Random draws that data-parallel training splits exactly.

In data-parallel training each process computes one share of a global
mini-batch. Inside :func:`global_batch`, the draws the modules make for their
batch (corruption noise, the VAE's reparameterisation noise, the neighbour
term's choice of tails) are taken for the whole global batch and sliced to
the process's share: every process draws the same numbers, so their random
states stay in step, and together they use exactly the numbers one process
training on the whole global batch would. Outside, these are plain
``torch.randn_like`` and friends.

Inside :func:`random_stream`, every draw of a fit in this thread comes from
generators of the fit's own, seeded as ``torch.manual_seed`` would seed
PyTorch's global ones: a fit draws exactly what it drew from the global
stream, while the global stream, which other threads may be drawing from,
is neither read nor moved. Draws written in aembed pass the stream's
generator (:func:`generator`); :func:`drawing_from_stream` passes it to
the draws of code that does not take one, such as a layer's random
initial weights.
"""

import contextlib
import functools
import inspect
import threading

import torch
from torch.overrides import TorchFunctionMode

_share = threading.local()
_stream = threading.local()


@contextlib.contextmanager
def random_stream(seed=0, device="cpu", state=None):
    """Draws in this thread from generators of their own, seeded with ``seed``.

    One generator for the CPU and, when ``device`` is an accelerator, one
    for it; ``state`` (from :func:`stream_state`) continues an earlier
    stream instead. Outside, draws come from PyTorch's global generators.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn._random import generator, random_stream
    >>> _ = torch.manual_seed(0)
    >>> expected = torch.rand(3)
    >>> _ = torch.manual_seed(1)
    >>> with random_stream(0):
    ...     drawn = torch.rand(3, generator=generator("cpu"))
    >>> torch.equal(drawn, expected), torch.equal(torch.rand(3), (
    ...     torch.manual_seed(1), torch.rand(3))[1])
    (True, True)
    """
    device = torch.device(device)
    generators = {"cpu": torch.Generator().manual_seed(int(seed))}
    if device.type != "cpu":
        if device.index is None:
            device = torch.device(
                device.type, torch.get_device_module(device).current_device()
            )
        generators[str(device)] = torch.Generator(device).manual_seed(int(seed))
    if state is not None:
        generators["cpu"].set_state(state)
    previous = getattr(_stream, "generators", None)
    _stream.generators = generators
    try:
        yield
    finally:
        _stream.generators = previous


def generator(device):
    """This thread's generator for ``device`` in :func:`random_stream`, else None.

    None makes a draw use PyTorch's global generator.
    """
    generators = getattr(_stream, "generators", None)
    if generators is None:
        return None
    device = torch.device(device)
    if device.type == "cpu":
        return generators["cpu"]
    for name, gen in generators.items():
        if name != "cpu" and torch.device(name).type == device.type:
            if device.index is None or torch.device(name).index == device.index:
                return gen
    return None


def stream_state():
    """The CPU generator's state: of :func:`random_stream`, else the global one."""
    gen = generator("cpu")
    return torch.get_rng_state() if gen is None else gen.get_state()


def set_stream_state(state):
    """Continue the CPU stream from ``state`` (see :func:`stream_state`)."""
    gen = generator("cpu")
    if gen is None:
        torch.set_rng_state(state)
    else:
        gen.set_state(state)


@contextlib.contextmanager
def forked_stream():
    """Draws made inside leave this thread's stream where it was.

    The generators of :func:`random_stream`, else PyTorch's global ones
    (as :func:`torch.random.fork_rng`).
    """
    generators = getattr(_stream, "generators", None)
    if generators is None:
        with torch.random.fork_rng(devices=[]):
            yield
        return
    states = {name: gen.get_state() for name, gen in generators.items()}
    try:
        yield
    finally:
        for name, gen in generators.items():
            gen.set_state(states[name])


# Draws that name no device of their own; factories otherwise read ``device``.
_FACTORIES = {torch.rand, torch.randn, torch.randint, torch.randperm}


@functools.cache
def _takes_generator(func):
    if func in _FACTORIES:
        return True
    try:
        return "generator" in inspect.signature(func).parameters
    except (TypeError, ValueError):  # builtins without a signature
        return func in {
            torch.Tensor.uniform_,
            torch.Tensor.normal_,
            torch.Tensor.random_,
            torch.Tensor.bernoulli_,
            torch.Tensor.exponential_,
            torch.normal,
            torch.bernoulli,
            torch.multinomial,
        }


class _FromStream(TorchFunctionMode):
    """Give the stream's generator to every draw that names none."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = kwargs or {}
        if kwargs.get("generator") is None and _takes_generator(func):
            if func in _FACTORIES:
                device = kwargs.get("device") or "cpu"
            else:
                tensor = args[0] if args else next(iter(kwargs.values()))
                device = tensor.device
            kwargs = {**kwargs, "generator": generator(device)}
        return func(*args, **kwargs)


@contextlib.contextmanager
def drawing_from_stream():
    """Draws that name no generator, in this thread, from :func:`random_stream`'s.

    For code that draws without taking a generator (``torch.nn`` layers
    drawing their initial weights, ``torch.pca_lowrank``); a no-op outside
    a stream. Every torch call pays a Python dispatch meanwhile: hold it
    around such code only, never around training.

    Examples
    --------
    >>> import torch
    >>> from aembed.nn._random import drawing_from_stream, random_stream
    >>> _ = torch.manual_seed(0)
    >>> expected = torch.nn.Linear(3, 2).weight
    >>> with random_stream(0), drawing_from_stream():
    ...     drawn = torch.nn.Linear(3, 2).weight
    >>> torch.equal(drawn, expected)
    True
    """
    if getattr(_stream, "generators", None) is None:
        yield
        return
    with _FromStream():
        yield


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
    gen = generator(x.device)
    return _draw(
        lambda shape: torch.randn(shape, dtype=x.dtype, device=x.device, generator=gen),
        x,
    )


def rand_like(x):
    """``torch.rand_like(x)``, split by :func:`global_batch` when inside one."""
    gen = generator(x.device)
    return _draw(
        lambda shape: torch.rand(shape, dtype=x.dtype, device=x.device, generator=gen),
        x,
    )
