"""The VAE's latent-size sweep: reconstruction error per class and size."""

import numpy as np
import pandas as pd

from .. import metrics
from ..compare import make_method


def latent_size_sweep(
    X_train,
    X_test,
    y_test,
    sizes,
    *,
    method="vae",
    data_range=None,
    fitted=None,
    on_size=None,
    **params,
):
    """Fit one method per latent size; per-class held-out MSE and PSNR.

    Parameters
    ----------
    X_train : array-like of shape (n_train, n_features)
        Rows to fit on.
    X_test : array-like of shape (n_test, n_features)
        Held-out rows to reconstruct.
    y_test : array-like of shape (n_test,)
        Classes of the held-out rows.
    sizes : sequence of int
        The latent sizes (``n_components``) to try.
    method : str, default="vae"
        An aembed method name (``"dae"``, ``"vae"`` or ``"vqvae"``).
    data_range : float, default=None
        The data's known value range, for the PSNR; None reports no PSNR
        (NaN), as for tables.
    fitted : dict of int to estimator, default=None
        Estimators already fitted with the same parameters, by latent size,
        which are reused instead of trained again.
    on_size : callable, default=None
        Called with each latent size once it is done (a progress bar).
    **params
        Passed to :func:`aembed.compare.make_method`, e.g. ``max_epochs``
        and ``random_state``.

    Returns
    -------
    table : pandas.DataFrame
        Columns ``n_components``, ``class`` (``"all"`` or a label),
        ``mse``, ``psnr``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from aembed.report import latent_size_sweep
    >>> X, y = load_digits(return_X_y=True)
    >>> table = latent_size_sweep(X[:300] / 16, X[300:400] / 16, y[300:400],
    ...                           [2, 4], max_epochs=2, data_range=1.0)
    >>> table.columns.tolist(), table["n_components"].unique().tolist()
    (['n_components', 'class', 'mse', 'psnr'], [2, 4])
    """
    rows = []
    fitted = fitted or {}
    for size in sizes:
        est = fitted.get(size)
        if est is None:
            est = make_method(method, n_components=size, **params).fit(X_train)
        X_rec = est.reconstruct(X_test)
        table = metrics.per_class_reconstruction(
            X_test, X_rec, y_test, data_range=data_range or 1.0
        ).reset_index()
        table.insert(0, "n_components", size)
        overall = {
            "n_components": size,
            "class": "all",
            "mse": metrics.reconstruction_mse(X_test, X_rec),
            "psnr": metrics.psnr(X_test, X_rec, data_range=data_range or 1.0),
        }
        table = pd.concat(
            [table.drop(columns="n_samples"), pd.DataFrame([overall])],
            ignore_index=True,
        )
        if data_range is None:
            table["psnr"] = np.nan
        rows.append(table)
        if on_size is not None:
            on_size(size)
    return pd.concat(rows, ignore_index=True)
