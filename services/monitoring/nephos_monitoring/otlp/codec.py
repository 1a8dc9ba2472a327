"""OTLP/HTTP bodies: binary protobuf or JSON, optionally gzip-compressed.

The OTLP specification lets an exporter pick ``application/x-protobuf`` or
``application/json`` (the protobuf JSON mapping, lowerCamelCase keys, 64-bit
integers as strings); the answer is written in the format of the request.
"""

from __future__ import annotations

import zlib

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
)

from nephos_common.errors import NephosError

PROTOBUF = "application/x-protobuf"
JSON = "application/json"
MAX_BODY_BYTES = 16 * 1024 * 1024


class UnsupportedMediaType(NephosError):
    status_code = 415


class PayloadTooLarge(NephosError):
    status_code = 413


def media_type(content_type: str | None) -> str:
    """The request's format; anything but the two OTLP formats is refused with 415."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind not in (PROTOBUF, JSON):
        raise UnsupportedMediaType(
            "OTLP/HTTP accepts application/x-protobuf or application/json",
            code="unsupported_media_type",
            content_type=kind,
        )
    return kind


def _inflate(body: bytes, encoding: str | None) -> bytes:
    """Gunzip at most one byte past the limit, so a small bomb cannot fill memory."""
    if (encoding or "").strip().lower() != "gzip":
        return body
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(body, MAX_BODY_BYTES + 1)
    except zlib.error:
        raise NephosError("the gzip body cannot be read", code="invalid_otlp") from None


def decode(body: bytes, kind: str, encoding: str | None) -> ExportMetricsServiceRequest:
    """The export request in ``body``; a body that is not one is refused with 400."""
    raw = _inflate(body, encoding)
    if len(raw) > MAX_BODY_BYTES:
        raise PayloadTooLarge("the OTLP body exceeds 16 MiB", code="payload_too_large")
    request = ExportMetricsServiceRequest()
    try:
        if kind == PROTOBUF:
            request.ParseFromString(raw)
        else:
            json_format.Parse(raw, request, ignore_unknown_fields=True)
    except (DecodeError, json_format.ParseError, UnicodeDecodeError, ValueError) as exc:
        message = f"not an OTLP ExportMetricsServiceRequest: {exc}"[:500]
        raise NephosError(message, code="invalid_otlp") from None
    return request


def encode(message: Message, kind: str) -> bytes:
    if kind == PROTOBUF:
        return message.SerializeToString()
    return json_format.MessageToJson(message, indent=None).encode()
