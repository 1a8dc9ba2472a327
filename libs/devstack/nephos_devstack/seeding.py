"""The embedded stack's demo company and its admin, in the gateway's directory.

The gateway admits only users its directory knows, so ``make token`` (the
``dev@nephos.local`` admin of ``demo`` by default) needs them there. They are
added with the gateway's own command line, the same one an operator uses on
a real deployment, and adding them again at the next start changes nothing.
"""

from __future__ import annotations

import asyncio
import os
import sys

DEMO_COMPANY = "demo"
DEMO_ADMIN = "dev@nephos.local"


async def seed_directory(gateway_database_url: str) -> None:
    await add_user(
        gateway_database_url,
        company=DEMO_COMPANY,
        company_name="Demo",
        subject=DEMO_ADMIN,
        role="admin",
    )


async def add_user(
    gateway_database_url: str,
    *,
    company: str,
    subject: str,
    role: str,
    company_name: str | None = None,
) -> str:
    """``python -m nephos_gateway directory add-user``; its output, or raise with it."""
    args = ["--company", company, "--subject", subject, "--role", role]
    if company_name:
        args += ["--company-name", company_name]
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "nephos_gateway",
        "directory",
        "add-user",
        *args,
        env={**_without_gateway_settings(), "NEPHOS_GATEWAY_DATABASE_URL": gateway_database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    text = output.decode(errors="replace").strip()
    if process.returncode != 0:
        raise RuntimeError(text or "adding the user failed")
    return text


def _without_gateway_settings() -> dict[str, str]:
    """Our environment without the gateway's own settings (the database URL is given)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("NEPHOS_GATEWAY_")}
