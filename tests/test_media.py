"""Artwork is stored and served the same whichever backend keeps it: a folder, the
database (SQLite or PostgreSQL) or S3-compatible object storage (moto's server, over HTTP)."""

import io

import pytest
from PIL import Image

from app.campaigns.artwork import FORMATS, RENDITION_FILES, mimetype, rendition_name
from app.extensions import db
from app.media.storage import build, storage
from app.models import Campaign
from tests.factories import artwork_is_stored

YEAR_IMMUTABLE = "public, max-age=31536000, immutable"


@pytest.fixture(autouse=True)
def backend(media_backend):
    return media_backend


def url(key, rendition):
    return f"/media/artwork/{key}-{rendition}"


def test_every_rendition_of_an_upload_is_served_with_its_type_an_etag_and_a_year_of_caching(
    client, make, artist
):
    campaign = make.campaign(artist)
    for rendition in sorted(RENDITION_FILES):
        response = client.get(url(campaign.artwork, rendition))
        assert response.status_code == 200, rendition
        assert response.mimetype == mimetype(rendition)
        assert response.headers["Cache-Control"] == YEAR_IMMUTABLE
        assert response.headers["ETag"].strip('"')
        assert int(response.headers["Content-Length"]) == len(response.data)
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        with Image.open(io.BytesIO(response.data)) as image:
            assert image.format == FORMATS[rendition.rsplit(".", 1)[1]][0]


def test_a_browser_that_already_has_the_artwork_gets_a_304_without_the_bytes(client, make, artist):
    campaign = make.campaign(artist)
    first = client.get(url(campaign.artwork, "page.jpg"))
    etag = first.headers["ETag"]

    again = client.get(url(campaign.artwork, "page.jpg"), headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == YEAR_IMMUTABLE

    other = client.get(url(campaign.artwork, "page.jpg"), headers={"If-None-Match": '"nope"'})
    assert other.status_code == 200 and other.data == first.data

    head = client.head(url(campaign.artwork, "page.jpg"))
    assert head.status_code == 200 and head.data == b"" and head.headers["ETag"] == etag


def test_a_missing_or_malformed_artwork_address_is_a_404(client, make, artist, app):
    campaign = make.campaign(artist)
    with app.app_context():
        storage().delete([rendition_name(campaign.artwork, "480.webp")])
    for address in (
        url("a" * 32, "page.jpg"),  # no such artwork
        url(campaign.artwork, "480.webp"),  # this rendition is gone
        url(campaign.artwork, "original.png"),  # no such rendition
        url("../../etc/passwd", "page.jpg"),
        url("ABC", "page.jpg"),
    ):
        assert client.get(address).status_code == 404, address
    assert client.get(url(campaign.artwork, "480.jpg")).status_code == 200


def test_stored_bytes_come_back_unchanged_and_each_name_is_listed_once(app):
    data = {f"artwork/{'c' * 32}-{n}.jpg": bytes([n]) * (70_000 + n) for n in range(3)}
    with app.app_context():
        media = storage()
        for name, content in data.items():
            media.put(name, content, "image/jpeg")
        media.put(next(iter(data)), next(iter(data.values())), "image/jpeg")  # again: no copy
        assert sorted(media.names()) == sorted(data)
        for name, content in data.items():
            blob = media.get(name)
            assert blob.read() == content and blob.size == len(content)
        media.delete([*data, "artwork/never-stored.jpg"])
        assert list(media.names()) == [] and media.get(next(iter(data))) is None


def test_deleting_a_campaign_removes_its_artwork_once_the_response_is_sent(
    logged_in, app, make, artist
):
    doomed, kept = make.campaign(artist), make.campaign(artist)
    response = logged_in.post(f"/dashboard/campaigns/{doomed.id}/delete")
    assert response.status_code == 303
    assert artwork_is_stored(app, doomed.artwork)  # the page just sent may still show it
    response.close()
    for rendition in RENDITION_FILES:
        assert not artwork_is_stored(app, doomed.artwork, rendition)
    assert artwork_is_stored(app, kept.artwork)
    assert logged_in.get(url(doomed.artwork, "thumb.jpg")).status_code == 404


@pytest.mark.parametrize("target", ["folder", "database", "s3"])
def test_flask_media_migrate_copies_every_rendition_verified_and_can_run_again(
    app, runner, make, artist, backend, target, s3_settings
):
    if target == backend:
        result = runner.invoke(args=["media", "migrate", "--to", target])
        assert result.exit_code != 0 and "already in" in result.output
        return
    app.config.update(s3_settings)  # the target's settings, when it is the bucket
    campaigns = [make.campaign(artist), make.campaign(artist)]
    names = [rendition_name(c.artwork, r) for c in campaigns for r in RENDITION_FILES]
    big = rendition_name("e" * 32, "1080.jpg")  # several database chunks
    with app.app_context():
        storage().put(big, bytes(range(256)) * 5000, "image/jpeg")
    names.append(big)

    result = runner.invoke(args=["media", "migrate", "--to", target])
    assert result.exit_code == 0, result.output
    assert f"Copied {len(names)} and found 0 already there" in result.output

    with app.app_context():
        source, moved = storage(), build(target, app.config)
        assert sorted(moved.names()) == sorted(names)
        for name in names:
            assert moved.get(name).read() == source.get(name).read()
        # Interrupted half-way: one copy is missing; a second run copies just that one.
        moved.delete([names[0]])

    result = runner.invoke(args=["media", "migrate", "--to", target])
    assert f"Copied 1 and found {len(names) - 1} already there" in result.output

    # Switched over: the new backend serves the same artwork.
    app.extensions["media_storage"] = build(target, app.config)
    response = app.test_client().get(url(campaigns[0].artwork, "og.jpg"))
    assert response.status_code == 200 and response.mimetype == "image/jpeg"
    with app.app_context():
        assert db.session.get(Campaign, campaigns[0].id).artwork == campaigns[0].artwork


def test_a_rendition_bigger_than_the_memory_keeps_is_streamed_whole_with_its_stored_length(
    client, app
):
    data = bytes(range(256)) * (1300 * 1024 // 256) + b"end"  # five database chunks
    name = rendition_name("e" * 32, "1080.jpg")
    with app.app_context():
        storage().put(name, data, "image/jpeg")
    response = client.get(url("e" * 32, "1080.jpg"))
    assert response.status_code == 200
    assert int(response.headers["Content-Length"]) == len(data)
    assert response.data == data
