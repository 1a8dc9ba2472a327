"""A local moto server speaking the real AWS wire protocol, for tests and demos.

moto is imported only after ``MOTO_EC2_LOAD_DEFAULT_AMIS=false`` is set:
otherwise every region starts with about 1,300 public AMIs and their
snapshots, which slows every EC2 call and drowns the demo estate. The server
binds 127.0.0.1 only.
"""

from __future__ import annotations

import logging
import os
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

MOTO_HOST = "127.0.0.1"


def _post(url: str, body: bytes = b"") -> None:
    # Not form-encoded (urllib's default): Flask would consume the body as a form.
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "text/plain"}
    )
    with urllib.request.urlopen(request, timeout=30) as answer:
        answer.read()


@contextmanager
def running_moto() -> Iterator[str]:
    """Run a moto server on a free port for the block; yield its endpoint URL."""
    os.environ["MOTO_EC2_LOAD_DEFAULT_AMIS"] = "false"
    from moto.server import ThreadedMotoServer

    # werkzeug logs every request at INFO on its own handler: keep test output readable.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = ThreadedMotoServer(ip_address=MOTO_HOST, port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
    finally:
        server.stop()


def reset(url: str) -> None:
    """Forget every resource in every region and account."""
    _post(f"{url}/moto-api/reset")


def enforce_auth(url: str, enabled: bool) -> None:
    """Turn moto's IAM authentication on or off for the whole server.

    With it on, moto accepts only access keys of IAM users it knows, so an
    arbitrary key pair gets ``InvalidClientTokenId`` from STS (and
    ``AuthFailure`` from EC2), as with a revoked key on AWS.
    """
    _post(f"{url}/moto-api/reset-auth", b"0" if enabled else b"inf")
