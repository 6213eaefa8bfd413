"""Artwork served straight from a public bucket or CDN (MEDIA_PUBLIC_URL)."""

import json
import re

import pytest
import requests

from tests.conftest import s3_client


@pytest.fixture
def public(test_config, s3_settings, s3_server):
    """A bucket anyone may read, as its public URL."""
    bucket = s3_settings["MEDIA_S3_BUCKET"]
    readable = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{bucket}/*",
            }
        ],
    }
    s3_client(s3_settings).put_bucket_policy(Bucket=bucket, Policy=json.dumps(readable))
    url = f"{s3_server}/{bucket}"
    test_config.update(s3_settings, MEDIA_STORAGE="s3", MEDIA_PUBLIC_URL=url)
    return url


def test_with_a_public_bucket_pages_show_artwork_from_it_and_their_policy_allows_it(
    public, s3_server, make, artist, client
):
    campaign = make.campaign(artist)

    page = client.get(f"/{campaign.slug}")
    src = re.search(r'<img src="([^"]+)"', page.text).group(1)
    assert src == f"{public}/artwork/{campaign.artwork}-480.jpg"
    assert f'content="{public}/artwork/{campaign.artwork}-og.jpg"' in page.text
    img_src = re.search(r"img-src ([^;]+)", page.headers["Content-Security-Policy"]).group(1)
    assert s3_server in img_src.split()

    served = requests.get(src, timeout=10)
    assert served.status_code == 200 and served.headers["Content-Type"] == "image/jpeg"
    assert served.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert served.content == client.get(f"/media/artwork/{campaign.artwork}-480.jpg").data
