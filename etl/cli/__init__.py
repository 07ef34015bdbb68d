"""The ``nianbao`` command: ``app`` (typer), the exit codes, and ``main`` for ``python -m etl.cli``."""

from etl.cli.app import app
from etl.database import redact
from etl.run import ExitCode


def main() -> None:  # pragma: no cover - console-script style entry for `python -m etl.cli`
    app()


__all__ = ["ExitCode", "app", "main", "redact"]
