"""Small public helpers."""

from ._registry import ESTIMATORS


def all_estimators():
    """The estimator classes aembed exports, sorted by name.

    New estimators join the common tests (and become loadable by
    :func:`aembed.load`) by being registered with ``_registry.register``.

    Returns
    -------
    estimators : list of (str, type)
        ``(name, class)`` pairs.

    Examples
    --------
    >>> from aembed.utils import all_estimators
    >>> [name for name, _ in all_estimators()][:1]
    ['DenoisingAEEmbedder']
    """
    # Importing this module imported the package, which registered them.
    return sorted(ESTIMATORS.items())
