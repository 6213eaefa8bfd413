"""Serves uploaded artwork from the upload folder."""

from flask import Blueprint, abort, current_app, send_file

from app.campaigns.artwork import artwork_path

bp = Blueprint("media", __name__, url_prefix="/media")


@bp.get("/artwork/<key>-<any(page, thumb):rendition>.jpg")
def artwork(key: str, rendition: str):
    try:
        path = artwork_path(current_app.config["UPLOAD_FOLDER"], key, rendition)
    except ValueError:
        abort(404)
    if not path.is_file():
        abort(404)
    # Keys are random and files never change in place: cache for a year.
    return send_file(path, mimetype="image/jpeg", max_age=31536000)
