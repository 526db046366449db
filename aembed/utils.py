"""Small public helpers."""

__all__ = ["all_estimators"]


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
    # Imported here so that this module does not hand out the whitelist that
    # aembed.load trusts; importing it imported the package, which
    # registered every estimator.
    from ._registry import ESTIMATORS

    return sorted(ESTIMATORS.items())
