"""The options the loading commands share (``run``, ``reparse``, ``quarantine retry``), typed once."""

from __future__ import annotations

from typing import Annotated

import typer

from etl.cli.logs import LogFormat

LogFormatOption = Annotated[
    LogFormat,
    typer.Option(
        "--log-format",
        help="text: readable lines on stderr (a progress bar on a terminal); json: one JSON object "
        "per line on stderr and a JSON summary on stdout.",
    ),
]
DbtOption = Annotated[
    bool, typer.Option("--dbt/--no-dbt", help="Build the marts with dbt afterwards (--no-dbt: load only).")
]
ForceDbtOption = Annotated[
    bool,
    typer.Option(
        "--force-dbt",
        help="Run `dbt build` even when nothing new was loaded (by default a quiet night skips it "
        "when the marts are up to date).",
    ),
]
FullRefreshOption = Annotated[
    bool,
    typer.Option(
        "--full-refresh",
        help="Rebuild the incremental fact tables from scratch (`dbt build --full-refresh`): once "
        "after upgrading nianbao, or if the marts are in doubt.",
    ),
]
WaitOption = Annotated[
    float,
    typer.Option(
        "--wait",
        min=0,
        help="Seconds to wait for another run's writer lock before giving up with exit code 4.",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        "-j",
        min=1,
        envvar="NIANBAO_WORKERS",
        help="Parser processes (default: one per core). Loads of fewer than 16 new files parse in-line.",
        show_default=False,
    ),
]
BatchOption = Annotated[
    int,
    typer.Option("--batch-size", min=1, help="Reports per transaction (a crash loses at most one batch)."),
]
