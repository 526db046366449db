"""Small public helpers."""

import inspect


def all_estimators():
    """The estimator classes aembed exports, sorted by name.

    New estimators join the common tests by being exported from the package.

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
    import aembed
    from aembed._base import _BaseEmbedder

    found = (getattr(aembed, name) for name in aembed.__all__)
    return sorted(
        (cls.__name__, cls)
        for cls in found
        if inspect.isclass(cls) and issubclass(cls, _BaseEmbedder)
    )
