"""Media in S3-compatible object storage (AWS S3, Cloudflare R2, Backblaze B2, MinIO...),
through boto3. Objects carry their content type and year-long caching, so a public bucket
or a CDN in front of it (MEDIA_PUBLIC_URL) can serve them as they are."""

from collections.abc import Iterable, Iterator

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from app.media.blob import CACHE_CONTROL, Blob, Head

CHUNK = 64 * 1024


class S3Storage:
    kind = "s3"

    def __init__(self, bucket: str, client, prefix: str = ""):
        self.bucket = bucket
        self.client = client
        self.prefix = prefix

    @classmethod
    def from_config(cls, config) -> "S3Storage":
        # Unset keys fall back to boto3's own chain (AWS_* variables, instance roles).
        client = boto3.client(
            "s3",
            region_name=config.get("MEDIA_S3_REGION") or None,
            endpoint_url=config.get("MEDIA_S3_ENDPOINT_URL") or None,
            aws_access_key_id=config.get("MEDIA_S3_ACCESS_KEY_ID") or None,
            aws_secret_access_key=config.get("MEDIA_S3_SECRET_ACCESS_KEY") or None,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"},
                max_pool_connections=32,
                # Path-style addressing works with every S3-compatible service.
                s3={"addressing_style": "path"},
            ),
        )
        return cls(config["MEDIA_S3_BUCKET"], client, config.get("MEDIA_S3_PREFIX") or "")

    def put(self, name: str, data: bytes, content_type: str) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=self.prefix + name,
            Body=data,
            ContentType=content_type,
            CacheControl=CACHE_CONTROL,
        )

    def head(self, name: str) -> Head | None:
        found = self._ask(self.client.head_object, name)
        return None if found is None else Head(found["ETag"].strip('"'), found["ContentLength"])

    def get(self, name: str) -> Blob | None:
        found = self._ask(self.client.get_object, name)
        if found is None:
            return None
        etag = found["ETag"].strip('"')
        return Blob(etag, found["ContentLength"], found["Body"].iter_chunks(CHUNK))

    def _ask(self, call, name: str) -> dict | None:
        try:
            return call(Bucket=self.bucket, Key=self.prefix + name)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in {"NoSuchKey", "404"}:
                return None
            raise

    def delete(self, names: Iterable[str]) -> None:
        keys = [{"Key": self.prefix + name} for name in names]
        for start in range(0, len(keys), 1000):  # the most one request may name
            self.client.delete_objects(
                Bucket=self.bucket, Delete={"Objects": keys[start : start + 1000], "Quiet": True}
            )

    def names(self) -> Iterator[str]:
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self.prefix
        )
        for page in pages:
            for item in page.get("Contents", ()):
                yield item["Key"].removeprefix(self.prefix)
