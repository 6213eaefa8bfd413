"""Each web process remembers recently served renditions for MEDIA_CACHE_SECONDS."""

import io
import time

from app.campaigns.artwork import process_artwork, rendition_names
from app.media.storage import storage
from tests.factories import png_bytes


def test_artwork_deleted_through_another_process_stops_being_served_when_its_memory_expires(
    make_app, tmp_path
):
    shared = {"MEDIA_STORAGE": "folder", "UPLOAD_FOLDER": str(tmp_path)}
    serving, deleting = make_app(**shared, MEDIA_CACHE_SECONDS=1), make_app(**shared)
    with serving.app_context():
        key, _ = process_artwork(io.BytesIO(png_bytes()), storage())
    address = f"/media/artwork/{key}-page.jpg"
    assert serving.test_client().get(address).status_code == 200

    with deleting.app_context():
        storage().delete(rendition_names(key))
    assert deleting.test_client().get(address).status_code == 404
    remembered = serving.test_client().get(address)
    assert remembered.status_code == 200 and remembered.data  # still within its second
    time.sleep(1.2)
    assert serving.test_client().get(address).status_code == 404


def test_a_process_forgets_artwork_it_deletes_itself_at_once(make_app, tmp_path):
    app = make_app(MEDIA_STORAGE="folder", UPLOAD_FOLDER=str(tmp_path), MEDIA_CACHE_SECONDS=600)
    with app.app_context():
        key, _ = process_artwork(io.BytesIO(png_bytes()), storage())
        assert app.test_client().get(f"/media/artwork/{key}-thumb.jpg").status_code == 200
        storage().delete(rendition_names(key))
    assert app.test_client().get(f"/media/artwork/{key}-thumb.jpg").status_code == 404
