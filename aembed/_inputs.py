"""What users hand the estimators, turned into what scikit-learn validates.

scikit-learn accepts array-likes; PyTorch users hold tensors, which NumPy
cannot take as they are when they require grad, live on a GPU or are
bfloat16. They are detached, moved to the CPU and widened to float32 here.
Importing this module does not import torch (the metrics never do).
"""

import sys

import numpy as np


def as_array(X, name="X"):
    """``X`` as it is, or a torch tensor as a NumPy array.

    Parameters
    ----------
    X : object
        Anything; only torch tensors (and lists of them) are converted.
    name : str, default="X"
        How errors name ``X``.

    Returns
    -------
    X : object
        ``X``, or the tensor's values as an ndarray (float32 for the float
        types NumPy lacks, such as bfloat16).

    Examples
    --------
    >>> import torch
    >>> as_array(torch.ones(2, 3, dtype=torch.bfloat16, requires_grad=True)).dtype
    dtype('float32')
    """
    torch = sys.modules.get("torch")  # no tensor exists without it
    if torch is None:
        return X
    if isinstance(X, list | tuple) and any(isinstance(x, torch.Tensor) for x in X):
        return [as_array(x, name) for x in X]  # rows as tensors
    if not isinstance(X, torch.Tensor):
        return X
    if X.layout != torch.strided:
        raise TypeError(
            f"{name} is a sparse torch tensor ({X.layout}); the estimators take "
            f"dense rows: pass {name}.to_dense()."
        )
    X = X.detach().cpu()
    if X.dtype in (torch.bfloat16,) or (
        X.dtype.is_floating_point and X.dtype.itemsize == 1  # float8 types
    ):
        X = X.float()
    return X.numpy()


def reject_bools(**params):
    """Reject True and False, which sklearn's ``Interval(Integral, ...)`` admits.

    Examples
    --------
    >>> reject_bools(n_neighbors=5)
    >>> reject_bools(n_neighbors=True)
    Traceback (most recent call last):
    ...
    TypeError: n_neighbors must be an integer, got True.
    """
    for name, value in params.items():
        if isinstance(value, bool | np.bool_):
            raise TypeError(f"{name} must be an integer, got {value!r}.")
