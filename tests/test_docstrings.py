"""The documented defaults of the public estimators are the code's."""

import ast
import inspect
import re

import pytest

import aembed
from aembed.utils import all_estimators

# "name : type, default=value" in a numpydoc Parameters section; the value
# may be broken over lines with a backslash.
DEFAULT = re.compile(r"^\s*(\w+) : .*?default=(.+?)\s*$", re.MULTILINE)

PUBLIC = [cls for _, cls in all_estimators()]
METHODS = [
    (cls, name)
    for cls in PUBLIC
    for name, member in vars(cls).items()
    if not name.startswith("_")
    and inspect.isfunction(member)
    and "default=" in (member.__doc__ or "")
] + [(aembed, "load")]


def documented_defaults(doc):
    doc = doc.replace("\\\n", "")
    return {name: value for name, value in DEFAULT.findall(doc)}


def check(function, doc):
    documented = documented_defaults(doc)
    signature = inspect.signature(function)
    assert documented, "no documented defaults found"
    for name, text in documented.items():
        assert name in signature.parameters, f"{name} is documented, not a parameter"
        default = signature.parameters[name].default
        assert ast.literal_eval(text) == default, (
            f"{name}: documented default={text}, code default={default!r}"
        )


@pytest.mark.parametrize("cls", PUBLIC, ids=lambda c: c.__name__)
def test_every_documented_class_default_is_the_signatures(cls):
    check(cls.__init__, cls.__doc__)
    documented = documented_defaults(cls.__doc__)
    parameters = list(inspect.signature(cls.__init__).parameters)[1:]
    assert set(parameters) == set(documented)


@pytest.mark.parametrize(
    ("owner", "name"), METHODS, ids=lambda x: getattr(x, "__name__", str(x))
)
def test_every_documented_method_default_is_the_signatures(owner, name):
    function = getattr(owner, name)
    check(function, function.__doc__)


def test_the_checker_sees_a_wrong_default():
    def f(a=1):
        pass

    with pytest.raises(AssertionError, match="documented default=2"):
        check(f, "a : int, default=2\n    Text.")
