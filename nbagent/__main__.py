"""``python -m nbagent``: the ``nbagent`` command (``demo``, ``replay``)."""

from nbagent._cli import main

if __name__ == "__main__":
    raise SystemExit(main())
