"""The estimator classes by name: the whitelist that :func:`aembed.load` uses.

Filled as the estimator modules are imported (every one is, by ``import
aembed``), so that reading a model file never imports anything by a name
the file holds.
"""

ESTIMATORS = {}


def register(cls):
    """Class decorator: make ``cls`` loadable and part of ``all_estimators``."""
    ESTIMATORS[cls.__name__] = cls
    return cls
