"""Azure Blob Storage's REST calls on the stand-in, path-style as Azurite serves them.

``GET /{account}/{container}?restype=container&comp=list`` (List Blobs, with
``prefix``, ``maxresults`` and ``marker``; its XML ``EnumerationResults``) and
``GET /{account}/{container}/{blob}`` (Get Blob, with ``x-ms-range`` or
``Range`` answered 206 and ``Content-Range``, ``ETag``, and ``If-Match``
checked, which is how azure-storage-blob downloads in chunks). Every call
needs a SAS token granted by ``blobs_of(server).grant``: none is 401
``NoAuthenticationInformation``, an unknown or expired one 403
``AuthenticationFailed``, one without the permission 403
``AuthorizationPermissionMismatch``. Errors are Azure Storage's XML
``<Error><Code/><Message/></Error>`` with the ``x-ms-error-code`` header.

A listing page holds at most the server's ``page_size`` blobs, so a client
that ignores ``NextMarker`` misses blobs, as it would on a large container.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from email.utils import format_datetime
from xml.etree import ElementTree as ET

from starlette.requests import Request
from starlette.responses import Response

from nephos_devstack.arm_server.blob_store import SAS_VERSION, BlobStore, StoredBlob, blobs_of
from nephos_devstack.arm_server.store import ArmServer

LIST_OPERATION = "blob/list"
GET_OPERATION = "blob/get"
MAX_RESULTS = 5000
_RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")


def is_blob_path(arm: ArmServer, method: str, parts: list[str]) -> bool:
    """A GET whose first path segment is a storage account the stand-in holds."""
    return method == "GET" and len(parts) >= 2 and blobs_of(arm).knows_account(parts[0])


def _http_date(moment: datetime) -> str:
    return format_datetime(moment.astimezone(UTC), usegmt=True)


def storage_error(status: int, code: str, message: str) -> Response:
    request_id = str(uuid.uuid4())
    body = (
        '<?xml version="1.0" encoding="utf-8"?><Error>'
        f"<Code>{code}</Code><Message>{message}\nRequestId:{request_id}\n"
        f"Time:{datetime.now(UTC):%Y-%m-%dT%H:%M:%S.%fZ}</Message></Error>"
    )
    headers = {"x-ms-error-code": code, "x-ms-request-id": request_id, "x-ms-version": SAS_VERSION}
    return Response(body, status, headers=headers, media_type="application/xml")


def _authorise(request: Request, store: BlobStore, parts: list[str], needs: str) -> Response | None:
    """The request's SAS must be a live grant on this container with permission ``needs``."""
    sig = request.query_params.get("sig")
    if not sig:
        return storage_error(401, "NoAuthenticationInformation", "Server failed to authenticate "
                             "the request. Please refer to the information in the www-authenticate "
                             "header.")  # fmt: skip
    grant = store.grants.get(sig)
    valid = grant is not None and (grant.account, grant.container) == (
        parts[0].lower(),
        parts[1].lower(),
    )
    if grant is None or not valid:
        return storage_error(403, "AuthenticationFailed", "Server failed to authenticate the "
                             "request. Make sure the value of Authorization header is formed "
                             "correctly including the signature.")  # fmt: skip
    if grant.expires <= datetime.now(UTC):
        return storage_error(403, "AuthenticationFailed", "Signed expiry time "
                             f"[{grant.expires:%a, %d %b %Y %H:%M:%S GMT}] must be after signed "
                             "start time.")  # fmt: skip
    if needs not in grant.permissions:
        message = "This request is not authorized to perform this operation using this permission."
        return storage_error(403, "AuthorizationPermissionMismatch", message)
    return None


def _listing_xml(request: Request, parts: list[str], page: list[StoredBlob],
                 next_marker: str) -> bytes:  # fmt: skip
    params = request.query_params
    endpoint = f"{request.url.scheme}://{request.url.netloc}/{parts[0]}/"
    root = ET.Element("EnumerationResults", ServiceEndpoint=endpoint, ContainerName=parts[1])
    for tag, key in (("Prefix", "prefix"), ("Marker", "marker"), ("MaxResults", "maxresults")):
        if key in params:
            ET.SubElement(root, tag).text = params[key]
    blobs = ET.SubElement(root, "Blobs")
    for blob in page:
        item = ET.SubElement(blobs, "Blob")
        ET.SubElement(item, "Name").text = blob.name
        props = ET.SubElement(item, "Properties")
        for tag, text in (
            ("Creation-Time", _http_date(blob.created)),
            ("Last-Modified", _http_date(blob.last_modified)),
            ("Etag", blob.etag.strip('"')), ("Content-Length", str(len(blob.data))),
            ("Content-Type", blob.content_type), ("BlobType", "BlockBlob"),
            ("AccessTier", "Hot"), ("AccessTierInferred", "true"), ("LeaseStatus", "unlocked"),
            ("LeaseState", "available"), ("ServerEncrypted", "true"),
        ):  # fmt: skip
            ET.SubElement(props, tag).text = text
        ET.SubElement(item, "OrMetadata")
    ET.SubElement(root, "NextMarker").text = next_marker or None
    return b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8")


def _list(
    request: Request, arm: ArmServer, parts: list[str], blobs: dict[str, StoredBlob]
) -> Response:
    """One page of the container's blobs whose names start with ``prefix``, in name order."""
    params = request.query_params
    if params.get("restype") != "container" or params.get("comp") != "list":
        return storage_error(400, "InvalidQueryParameterValue", "Value for one of the query "
                             "parameters specified in the request URI is invalid.")  # fmt: skip
    arm.calls[LIST_OPERATION] += 1
    prefix, marker = params.get("prefix", ""), params.get("marker", "")
    wanted = min(int(params.get("maxresults") or MAX_RESULTS), arm.config.page_size)
    names = sorted(n for n in blobs if n.startswith(prefix) and n >= marker)
    page = [blobs[n] for n in names[:wanted]]
    next_marker = names[wanted] if len(names) > wanted else ""
    body = _listing_xml(request, parts, page, next_marker)
    return Response(body, 200, media_type="application/xml",
                    headers={"x-ms-version": SAS_VERSION})  # fmt: skip


def _range(request: Request, size: int) -> tuple[int, int] | Response | None:
    """The asked byte range (inclusive), None for the whole blob, or the 416 answer."""
    header = request.headers.get("x-ms-range") or request.headers.get("range")
    if not header:
        return None
    match = _RANGE.match(header.strip())
    if match is None:
        return storage_error(400, "InvalidHeaderValue", "The value for one of the HTTP headers "
                             "is not in the correct format.")  # fmt: skip
    start = int(match.group(1))
    end = min(int(match.group(2)) if match.group(2) else size - 1, size - 1)
    if start >= size:
        answer = storage_error(416, "InvalidRange", "The range specified is invalid for the "
                               "current size of the resource.")  # fmt: skip
        answer.headers["Content-Range"] = f"bytes */{size}"
        return answer
    return start, end


def _get(request: Request, arm: ArmServer, blob: StoredBlob) -> Response:
    arm.calls[GET_OPERATION] += 1
    if_match = request.headers.get("if-match")
    if if_match and if_match not in ("*", blob.etag):
        return storage_error(412, "ConditionNotMet", "The condition specified using HTTP "
                             "conditional header(s) is not met.")  # fmt: skip
    size = len(blob.data)
    asked = _range(request, size)
    if isinstance(asked, Response):
        return asked
    headers = {
        "ETag": blob.etag, "Last-Modified": _http_date(blob.last_modified),
        "x-ms-creation-time": _http_date(blob.created), "x-ms-blob-type": "BlockBlob",
        "Accept-Ranges": "bytes", "x-ms-version": SAS_VERSION, "x-ms-server-encrypted": "true",
        "x-ms-request-id": str(uuid.uuid4()), "x-ms-lease-status": "unlocked",
        "x-ms-lease-state": "available",
    }  # fmt: skip
    if asked is None:
        return Response(blob.data, 200, headers=headers, media_type=blob.content_type)
    start, end = asked
    headers["Content-Range"] = f"bytes {start}-{end}/{size}"
    return Response(blob.data[start : end + 1], 206, headers=headers,
                    media_type=blob.content_type)  # fmt: skip


async def answer(request: Request, arm: ArmServer, parts: list[str]) -> Response:
    """List Blobs or Get Blob (see the module docstring)."""
    store = blobs_of(arm)
    listing = len(parts) == 2
    if denied := _authorise(request, store, parts, "l" if listing else "r"):
        return denied
    blobs = store.container(parts[0], parts[1])
    if blobs is None:
        return storage_error(404, "ContainerNotFound", "The specified container does not exist.")
    if listing:
        return _list(request, arm, parts, blobs)
    blob = blobs.get("/".join(parts[2:]))
    if blob is None:
        return storage_error(404, "BlobNotFound", "The specified blob does not exist.")
    return _get(request, arm, blob)
