"""Fits side by side: worker processes of a few threads each, for the report.

On a CPU, one small network trains barely faster on two threads than on
one, so a comparison of many methods finishes sooner with each method in a
process of its own, one thread per core. Every fit draws from its own seeded
streams and the results do not depend on the thread count, so a pooled run
gives the same numbers as a run in one process, and each method's time is
its own (no two methods share a core).

:class:`FitPool` runs :class:`Task` objects, in the calling process when
``n_jobs`` is 1 and otherwise in worker processes (joblib's loky backend,
as scikit-learn's ``n_jobs``), the longest first. Each worker warms every
method up once (PyTorch's first fit, umap-learn's numba compilation), so
no timed fit pays a start-up; epochs are counted on the caller's progress
bar; warnings raised in a worker are raised again in the caller.
"""

import os
import threading
import warnings
from dataclasses import dataclass, field
from multiprocessing.connection import Client, Listener

from joblib import Parallel, delayed, parallel_config

from ._fitting import fit_one, progress_steps, warm_up_methods
from ._methods import NEIGHBOR_METHODS, TRAINED_METHODS, make_method

# The methods this process has warmed up (a worker's live on between runs).
_WARMED = set()

# A task's expected cost relative to one plain autoencoder fit, to start the
# longest first (two-core CPU, MNIST-5k: the -nb fits cost about 2.5 plain
# ones, t-SNE and UMAP about one each with their start-up).
_COST = {**dict.fromkeys(NEIGHBOR_METHODS, 2.5), "tsne": 1.3, "opentsne": 1.3}


def n_workers(n_jobs, n_tasks, device="cpu"):
    """Worker processes and threads per worker for ``n_jobs``.

    ``n_jobs`` follows scikit-learn: None or 1 runs everything in the calling
    process, -1 one worker per available core, -2 all cores but one. Only CPU
    fits are spread over processes (on an accelerator they would share one
    device). The cores are shared out so that the workers never ask for more
    threads than there are cores.

    Returns
    -------
    n_workers : int
        1 means no worker processes.
    threads : int or None
        Threads of each worker; None when there are none.

    Examples
    --------
    >>> from aembed.compare._pool import n_workers
    >>> n_workers(None, 10), n_workers(1, 10)
    ((1, None), (1, None))
    >>> n_workers(2, 10, device="cuda")
    (1, None)
    """
    if n_jobs is None or n_jobs == 1 or str(device) != "cpu":
        return 1, None
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None
    cores = cores or os.cpu_count() or 1
    wanted = n_jobs if n_jobs > 0 else max(1, cores + 1 + n_jobs)
    workers = max(1, min(wanted, n_tasks))
    if workers == 1:
        return 1, None
    return workers, max(1, cores // workers)


@dataclass
class Task:
    """One fit: a compared method, or the sweep's model at one latent size.

    Parameters
    ----------
    key : object
        What the results are reported under (a method name, or
        ``("sweep", size)``).
    name : str
        The method to fit (:func:`aembed.compare.make_method`).
    params : dict
        Its parameters (``n_components``, ``max_epochs``, callbacks...).
    score : bool, default=True
        Fit, embed and score the method (see :func:`fit_one`); False only
        fits it (the sweep's models).
    """

    key: object
    name: str
    params: dict = field(default_factory=dict)
    score: bool = True

    def cost(self, n_train):
        """Rough relative cost, to start the longest tasks first."""
        if self.name in TRAINED_METHODS:
            steps = progress_steps(
                self.name, make_method(self.name, **self.params), n_train
            )
            return _COST.get(self.name, 1.0) * steps / 100
        return _COST.get(self.name, 0.0 if self.name == "pca" else 1.0)


def _run(task, data, bar, warmed):
    """Fit (and score) one task with ``data``; epochs are counted on ``bar``.

    Each method is warmed up once per process (``warmed`` holds those done).
    """
    if task.name not in warmed:
        warm_up_methods(
            [task.name],
            data["X_train"],
            n_components=task.params.get("n_components", 2),
            device=task.params.get("device", "cpu"),
        )
        warmed.add(task.name)
    return fit_one(task.name, task.params, data, progress=bar, score=task.score)


class _Ticks:
    """A progress bar's ``update`` in a worker: sends the steps to the caller.

    Connects to the caller's :class:`_TickListener` on first use; once
    closed (at the end of its task: the fitted estimator carries it back to
    the caller among its callbacks) it counts nothing.
    """

    def __init__(self, address, authkey):
        self.address, self.authkey, self.connection = address, authkey, None

    def update(self, n):
        if self.address is None:
            return
        if self.connection is None:
            self.connection = Client(self.address, authkey=self.authkey)
        self.connection.send(n)

    def close(self):
        if self.connection is not None:
            self.connection.close()
        self.address = self.connection = None

    def __getstate__(self):
        return {"address": self.address, "authkey": self.authkey, "connection": None}


class _TickListener:
    """Receives the workers' epoch ticks and advances a progress bar.

    A local socket (``multiprocessing.connection``) and a thread per worker
    connection; the key keeps other processes out.
    """

    def __init__(self, bar):
        self.bar, self.authkey = bar, os.urandom(32)
        self.listener = Listener(authkey=self.authkey)
        self.lock = threading.Lock()
        self.readers = []
        self.accepting = threading.Thread(target=self._accept, daemon=True)
        self.accepting.start()

    def ticks(self):
        return _Ticks(self.listener.address, self.authkey)

    def _accept(self):
        while True:
            try:
                connection = self.listener.accept()
            except OSError:  # closed
                return
            reader = threading.Thread(
                target=self._read, args=(connection,), daemon=True
            )
            reader.start()
            self.readers.append(reader)

    def _read(self, connection):
        with connection:
            while True:
                try:
                    steps = connection.recv()
                except (EOFError, OSError):
                    return
                with self.lock:
                    self.bar.update(steps)

    def close(self):
        self.listener.close()
        for reader in self.readers:
            reader.join(timeout=5)


def _run_in_worker(task, data, ticks, threads):
    """:func:`_run` in a worker process, its warnings handed back."""
    import torch

    torch.set_num_threads(threads)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result, rows = _run(task, data, ticks, _WARMED)
        finally:
            ticks.close()
    raised = [(str(w.message), w.category, w.filename, w.lineno) for w in caught]
    return task.key, result, rows, raised


class FitPool:
    """Run :class:`Task` objects, in worker processes when ``n_jobs`` asks.

    Parameters
    ----------
    data : dict
        What every task reads: ``X_train``, ``X_test``, ``y_train``,
        ``y_test`` and optionally ``y_fit`` (the labels the methods are
        fitted with), ``n_neighbors`` and ``data_range``.
    n_jobs : int or None
        As :func:`n_workers`.
    device : str
        The aembed estimators' device (pools only on the CPU).
    progress : tqdm.tqdm, default=None
        Advanced by one per epoch of every trained method, one for others.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from aembed.compare._pool import FitPool, Task
    >>> X, y = load_digits(return_X_y=True)
    >>> data = dict(X_train=X[:200] / 16, X_test=X[200:300] / 16,
    ...             y_train=y[:200], y_test=y[200:300])
    >>> tasks = [Task("pca", "pca", {"n_components": 2})]
    >>> [key for key, fitted, rows in FitPool(data, n_jobs=1).run(tasks)]
    ['pca']
    """

    def __init__(self, data, n_jobs=None, device="cpu", progress=None):
        self.data = dict(data)
        self.n_jobs = n_jobs
        self.device = device
        self.progress = progress

    def run(self, tasks):
        """Yield ``(key, result, rows)`` for each task as it finishes.

        ``result`` is the :class:`FittedMethod` (or the fitted estimator of a
        task that only fits) and ``rows`` its scores (None when not scored).
        In one process the tasks run in the given order; in a pool, the
        longest first.
        """
        n, threads = n_workers(self.n_jobs, len(tasks), self.device)
        if n == 1:
            for task in tasks:
                yield (task.key, *_run(task, self.data, self.progress, _WARMED))
            return
        n_train = len(self.data["X_train"])
        ordered = sorted(tasks, key=lambda t: -t.cost(n_train))
        listener = _TickListener(self.progress) if self.progress is not None else None
        ticks = listener.ticks() if listener else _Ticks(None, None)
        try:
            with parallel_config(backend="loky", inner_max_num_threads=threads):
                results = Parallel(
                    n_jobs=n, return_as="generator_unordered", max_nbytes=None
                )(
                    delayed(_run_in_worker)(t, self.data, ticks, threads)
                    for t in ordered
                )
                for key, result, rows, raised in results:
                    for message, category, filename, lineno in raised:
                        warnings.warn_explicit(message, category, filename, lineno)
                    yield key, result, rows
        finally:
            if listener is not None:
                listener.close()
