"""Flask commands, each a thin call into the module that does the work: `flask dev`,
`flask seed-demo`, `flask rotate-token-keys`, `flask refresh-artwork` and
`flask media migrate`."""

import os

import click
from flask import Flask
from flask.cli import with_appcontext

from app.demo import rehearsal, seed, supervisor
from app.media.storage import KINDS as MEDIA_KINDS


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo)
    app.cli.add_command(dev)
    app.cli.add_command(rotate_token_keys_command)
    app.cli.add_command(refresh_artwork_command)
    app.cli.add_command(media_group)


@click.group("media")
def media_group() -> None:
    """Artwork storage."""


@media_group.command("migrate")
@click.option("--to", "target", required=True, type=click.Choice(MEDIA_KINDS))
@click.option(
    "--from",
    "source",
    type=click.Choice(MEDIA_KINDS),
    help="Where artwork is now (default: MEDIA_STORAGE).",
)
@with_appcontext
def media_migrate(target: str, source: str | None) -> None:
    """Copy every stored rendition to another backend, verified by checksum; safe to run
    again. Set MEDIA_STORAGE to the new backend afterwards."""
    from flask import current_app

    from app.campaigns.artwork import mimetype
    from app.media.moving import CopyMismatch, move
    from app.media.storage import build

    source = source or current_app.config["MEDIA_STORAGE"]
    if source == target:
        raise click.UsageError(f"Artwork is already in {target}: nothing to move.")
    config = current_app.config
    try:
        moved = move(build(source, config), build(target, config), mimetype)
    except CopyMismatch as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Copied {moved.copied} and found {moved.skipped} already there, verified, "
        f"from {source} to {target}."
    )
    if moved.missing:
        click.echo(f"{len(moved.missing)} were deleted while copying.")
    click.echo(f"Now set MEDIA_STORAGE={target}.")


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
