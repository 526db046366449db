"""Timing a call."""

import time


def timed(func, *args, **kwargs):
    """Call a function and measure how long it took.

    Parameters
    ----------
    func : callable
        Function to call.
    *args, **kwargs
        Arguments passed to `func`.

    Returns
    -------
    result : object
        What ``func(*args, **kwargs)`` returned.
    seconds : float
        Wall-clock duration of the call, from :func:`time.perf_counter`.

    Examples
    --------
    >>> from aembed.metrics import timed
    >>> result, seconds = timed(sum, [1, 2, 3])
    >>> result, seconds >= 0
    (6, True)
    """
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return result, time.perf_counter() - start
