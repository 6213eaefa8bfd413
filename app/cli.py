"""Flask commands, each a thin call into the module that does the work: `flask dev`,
`flask seed-demo`, `flask rotate-token-keys` and `flask refresh-artwork`."""

import os

import click
from flask import Flask
from flask.cli import with_appcontext

from app.demo import rehearsal, seed, supervisor


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(dev)
    app.cli.add_command(rotate_token_keys_command)
    app.cli.add_command(refresh_artwork_command)


@click.command("refresh-artwork")
@with_appcontext
def refresh_artwork_command() -> None:
    """Make the renditions and palette of artwork uploaded before they existed."""
    from app.campaigns.editing import refresh_old_artwork

    click.echo(f"Refreshed the artwork of {refresh_old_artwork()} campaign(s).")


@click.command("rotate-token-keys")
@with_appcontext
def rotate_token_keys_command() -> None:
    """Re-encrypt every stored platform token with the newest of TOKEN_KEYS."""
    from app.token_keys import rotate_token_keys

    click.echo(f"Re-encrypted {rotate_token_keys()} stored token(s) with the newest key.")


@click.command("seed-demo")
@click.option(
    "--fresh-rehearsal",
    is_flag=True,
    help="Start the release-day rehearsal campaign over (its fans, checks and deliveries).",
)
def seed_demo(fresh_rehearsal: bool) -> None:
    """Create the demo artist and campaigns (once)."""
    if fresh_rehearsal:
        rehearsal.reset_campaign()
    click.echo(seed.ensure_demo())


@click.command("dev")
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), show_default="5000")
def dev(port: int) -> None:
    """Run Dropday locally: Redis (bundled unless REDIS_URL is set), a local mailbox, the
    database, the worker and the web app."""
    supervisor.run(port)
