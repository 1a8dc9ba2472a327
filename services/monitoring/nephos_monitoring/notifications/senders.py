"""Sending one message to one channel: webhook and Slack through httpx, e-mail through
smtplib in a thread. Each returns the HTTP status (None for e-mail) or raises."""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from typing import Any

import httpx


class SendFailed(Exception):
    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


def _incident_summary(event: dict[str, Any]) -> str:
    data = event["data"]
    change = str(data.get("change") or event["type"].rsplit(".", 1)[-1]).upper()
    return (
        f"[INCIDENT {change}] {data['severity']}: incident {data['incident_id']} on asset "
        f"{data['asset_id']} is {data['status']} [tenant {event['tenant']}]"
    )


def summary(event: dict[str, Any]) -> str:
    data = event["data"]
    if event["type"].startswith("monitoring.incident."):
        return _incident_summary(event)
    if event["type"].endswith(".fired"):
        head = f"[FIRING] {data['severity']}: {data['rule_name']}"
        tail = f"{data['metric']} = {data['value']} ({data['operator']} {data['threshold']})"
    else:
        head = f"[RESOLVED] {data['severity']}: {data['rule_name']}"
        tail = f"{data['metric']} ({data['reason']})"
    return f"{head} on asset {data['asset_id']}: {tail} [tenant {event['tenant']}]"


async def send_http(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], timeout: float
) -> int:
    try:
        response = await client.post(url, json=body, timeout=timeout)
    except httpx.HTTPError as exc:
        raise SendFailed(f"{type(exc).__name__}: {exc}") from exc
    if response.status_code >= 300:
        raise SendFailed(f"HTTP {response.status_code}", response.status_code)
    return response.status_code


def _send_mail(
    config: dict[str, Any], secret: dict[str, Any] | None, subject: str, body: str, timeout: float
) -> None:
    message = EmailMessage()
    message["From"] = config["sender"]
    message["To"] = ", ".join(config["to"])
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(config["host"], int(config["port"]), timeout=timeout) as smtp:
        if config.get("starttls"):
            smtp.starttls()
        if secret:
            smtp.login(secret["username"], secret["password"])
        smtp.send_message(message)


async def send_mail(
    config: dict[str, Any], secret: dict[str, Any] | None, event: dict[str, Any], timeout: float
) -> None:
    import json

    text = summary(event)
    body = f"{text}\n\n{json.dumps(event, indent=2, sort_keys=True)}\n"
    try:
        await asyncio.to_thread(_send_mail, config, secret, text, body, timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise SendFailed(f"{type(exc).__name__}: {exc}") from exc
