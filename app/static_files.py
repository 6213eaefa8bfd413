"""Static files served by WhiteNoise under content-hashed names.

At start the app copies static/ once into STATIC_BUILD_FOLDER: every file under its own
name and under a name with its content hash (css/fan.3f2a9c01b7d4.css), each with gzip and
brotli copies. `url_for("static", ...)` answers the hashed name, which WhiteNoise serves as
immutable for a year; the plain names keep working (the service worker, old pages) with a
short cache. A build is named by the digest of all files, so processes starting together
share it and a changed file makes a new one.
"""

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from flask import Flask
from whitenoise import WhiteNoise
from whitenoise.compress import Compressor

from app.security_headers import add_early_headers

PLAIN_MAX_AGE = 300
HASH_LENGTH = 12


def init_app(app: Flask) -> None:
    source = Path(app.static_folder)
    digests = {
        path.relative_to(source).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(source.rglob("*"))
        if path.is_file()
    }
    manifest = {name: hashed_name(name, digest) for name, digest in digests.items()}
    build = _build(source, Path(app.config["STATIC_BUILD_FOLDER"]), manifest)
    hashed = set(manifest.values())

    def hashed_url(endpoint: str, values: dict) -> None:
        if endpoint == "static" and values.get("filename") in manifest:
            values["filename"] = manifest[values["filename"]]

    app.url_defaults(hashed_url)
    app.wsgi_app = WhiteNoise(
        app.wsgi_app,
        root=build,
        prefix=app.static_url_path,
        max_age=PLAIN_MAX_AGE,
        immutable_file_test=lambda path, url: url.removeprefix(app.static_url_path + "/") in hashed,
        add_headers_function=lambda headers, path, url: add_early_headers(headers, app.debug),
    )


def hashed_name(name: str, digest: str) -> str:
    stem, dot, ext = name.rpartition(".")
    if not dot or "/" in ext:
        return f"{name}.{digest[:HASH_LENGTH]}"
    return f"{stem}.{digest[:HASH_LENGTH]}.{ext}"


def _build(source: Path, folder: Path, manifest: dict[str, str]) -> Path:
    signature = hashlib.sha256(repr(sorted(manifest.items())).encode()).hexdigest()[:16]
    build = folder / signature
    if build.is_dir():
        return build
    folder.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(dir=folder, prefix=".building-"))
    compressor = Compressor(quiet=True)
    try:
        for name, hashed in manifest.items():
            for target in (work / name, work / hashed):
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source / name, target)
                if compressor.should_compress(target.name):
                    list(compressor.compress(str(target)))
        os.chmod(work, 0o755)  # noqa: S103 - mkdtemp makes 0700; web servers read these
        os.rename(work, build)
    except OSError:
        # Another process finished the same build first: use theirs.
        shutil.rmtree(work, ignore_errors=True)
        if not build.is_dir():
            raise
    return build
