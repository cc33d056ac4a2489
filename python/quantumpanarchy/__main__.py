"""``python -m quantumpanarchy``: the demonstration (see ``quantumpanarchy.cli``)."""

from .cli import main

raise SystemExit(main())
