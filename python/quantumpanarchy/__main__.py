"""``python -m quantumpanarchy``: the demonstration (see ``quantumpanarchy.cli``)."""

from .cli import main

if __name__ == "__main__":
    raise SystemExit(main())
