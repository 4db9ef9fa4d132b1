"""Bucket policies with a conditional Deny, which moto applies to every request.

moto evaluates a bucket policy on each S3 request, and for a statement whose condition does not
hold it answers DENIED instead of ignoring the statement. The usual "deny requests that are not
TLS" statement (Deny, Condition Bool aws:SecureTransport false) then refuses every request, TLS or
not, and a bucket with that policy cannot be used. The layer keeps such statements out of the
policy moto evaluates and answers GetBucketPolicy with the policy as written, so Terraform sees what
it put and a scanner can use the bucket. Everything else about the policy reaches moto unchanged.

The layer is plain HTTP, so a real TLS condition could not be evaluated here either.
"""

from __future__ import annotations

import json
import threading
from urllib.parse import parse_qs, urlsplit


class BucketPolicies:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._written: dict[str, bytes] = {}

    @staticmethod
    def bucket_of(method: str, path: str) -> str | None:
        """The bucket of a path-style ?policy request, else None."""
        parts = urlsplit(path)
        if "policy" not in parse_qs(parts.query, keep_blank_values=True):
            return None
        bucket = parts.path.strip("/")
        return bucket if bucket and "/" not in bucket else None

    @staticmethod
    def evaluable(policy: bytes) -> bytes:
        """The policy without Deny statements that carry a condition; unchanged when it is not JSON."""
        try:
            document = json.loads(policy)
        except ValueError:
            return policy
        statements = document.get("Statement")
        if not isinstance(statements, list):
            return policy
        kept = [s for s in statements if not (isinstance(s, dict) and s.get("Effect") == "Deny" and s.get("Condition"))]
        if len(kept) == len(statements):
            return policy
        return json.dumps({**document, "Statement": kept}).encode()

    def remember(self, bucket: str, policy: bytes) -> None:
        with self._lock:
            self._written[bucket] = policy

    def forget(self, bucket: str) -> None:
        with self._lock:
            self._written.pop(bucket, None)

    def written(self, bucket: str) -> bytes | None:
        with self._lock:
            return self._written.get(bucket)
