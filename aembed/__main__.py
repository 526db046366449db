"""``python -m aembed``: the command line of :mod:`aembed.cli`."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
