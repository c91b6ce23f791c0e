"""`lookout simulate`: play a seeded Oakland-sized hour against a running Lookout through its
public HTTP API and print the alert budget (app/simulation)."""

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import cli, fail


@cli.command()
def simulate(
    admin_token: Annotated[
        str,
        typer.Option(
            envvar="LOOKOUT_SIM_ADMIN_TOKEN",
            help="An admin's bearer token (`lookout admin create-user NAME --role admin`)",
        ),
    ],
    url: Annotated[str, typer.Option(help="The running service")] = "http://127.0.0.1:8000",
    inbox: Annotated[
        str | None, typer.Option(help="The FCM inbox the service pushes to [default: URL/fcm]")
    ] = None,
    seed: Annotated[int, typer.Option(help="Same seed, same plates, cars and reads")] = 1,
    minutes: Annotated[float, typer.Option(help="Simulated minutes to play")] = 60.0,
    speed: Annotated[
        float,
        typer.Option(
            help="Time compression: 10 plays an hour in 6 minutes. Scale the "
            "service's time windows by the same factor (bench/oakland_hour.py does)"
        ),
    ] = 1.0,
    streets: Annotated[
        Path | None,
        typer.Option(help="Street GeoJSON: cameras go at its intersections [default: a grid]"),
    ] = None,
    officers: Annotated[int, typer.Option(help="Officers on duty")] = 60,
    cameras: Annotated[int, typer.Option()] = 40,
    stolen: Annotated[int, typer.Option(help="Stolen plates (P2)")] = 20_000,
    wanted: Annotated[int, typer.Option(help="Wanted plates (P1)")] = 40,
    reads_per_hour: Annotated[int, typer.Option()] = 42_000,
    respond: Annotated[bool, typer.Option(help="Officers answer a share of alerts")] = True,
    quick_start: Annotated[
        bool,
        typer.Option(
            help="Start playing once the cars on the road are listed; load the rest "
            "of the stolen list meanwhile (make demo)"
        ),
    ] = False,
    out: Annotated[Path | None, typer.Option(help="Write the figures here as JSON")] = None,
) -> None:
    """Play a simulated shift (default: an Oakland-sized hour) and print the alert budget."""
    from app.simulation import budget, play, report
    from app.simulation.api import ApiError
    from app.simulation.scenario import Shape

    if speed <= 0 or minutes <= 0:
        fail("--speed and --minutes must be positive")
    shape = Shape(
        minutes=minutes, officers=officers, cameras=cameras, stolen_entries=stolen,
        wanted_entries=wanted, reads_per_hour=reads_per_hour,
    )  # fmt: skip
    options = play.Options(
        base_url=url, admin_token=admin_token, inbox_url=inbox, speed=speed, seed=seed,
        shape=shape, streets_file=streets, respond=respond, progress=typer.echo,
        quick_start=quick_start,
    )  # fmt: skip
    try:
        played = asyncio.run(play.play(options))
    except ApiError as error:
        fail(str(error))
    except KeyboardInterrupt:
        typer.echo("simulation stopped")
        raise typer.Exit(0) from None
    figures = budget.figures(played)
    typer.echo(report.render(figures))
    if out is not None:
        report.save(figures, out)
        typer.echo(f"figures written to {out}")
