"""One billing period of a source, read by the source's own reader: with the account's
cloud session, or (Azure exports) with the source's own sealed SAS token."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nephos_common.cloud_sessions import AwsSession, AzureSession, CloudSession
from nephos_common.crypto import SecretBox
from nephos_common.db import Database
from nephos_common.errors import InvalidInput
from nephos_metering.ingest import cost_explorer
from nephos_metering.ingest.api_delivery import ApiAnswer, ApiBill, Window, ingest_api_bill
from nephos_metering.ingest.azure_blob_exports import ExportIngest, ingest_export
from nephos_metering.ingest.blob import CHUNK_BYTES, BlobAccess
from nephos_metering.ingest.manifest import BillingPeriod
from nephos_metering.ingest.s3 import S3Access
from nephos_metering.ingest.service import CurIngest, IngestOutcome, ingest_cur
from nephos_metering.sources.models import BillingSource, SourceKind


@dataclass(frozen=True)
class ReadOptions:
    """How a run reads: rows per COPY batch, the key of sealed source credentials, and
    bytes per ranged read of a storage blob."""

    batch_rows: int
    box: SecretBox
    chunk_bytes: int = CHUNK_BYTES


def _aws(cloud: CloudSession) -> AwsSession:
    if not isinstance(cloud, AwsSession):
        raise InvalidInput("the account is not an AWS account", code="kind_mismatch")
    return cloud


def _azure(cloud: CloudSession) -> AzureSession:
    if not isinstance(cloud, AzureSession):
        raise InvalidInput("the account is not an Azure account", code="kind_mismatch")
    return cloud


async def _cur(
    database: Database, source: BillingSource, aws: AwsSession, period: BillingPeriod,
    batch_rows: int,
) -> IngestOutcome:  # fmt: skip
    config: dict[str, Any] = source.config
    access = S3Access(
        access_key_id=aws.access_key_id, secret_access_key=aws.secret_access_key,
        session_token=aws.session_token, region=config["region"], endpoint_url=aws.endpoint_url,
    )  # fmt: skip
    job = CurIngest(
        tenant=source.tenant, account_id=source.account_id, bucket=config["bucket"],
        prefix=config["prefix"], export_name=config["export_name"], period=period,
        format=config["format"], access=access,
    )  # fmt: skip
    return await ingest_cur(database, job, batch_rows)


async def _cost_explorer(
    database: Database, source: BillingSource, aws: AwsSession, period: BillingPeriod
) -> IngestOutcome:
    amortized = bool(source.config.get("amortized"))
    async with cost_explorer.ce_clients(aws) as (ce, sts):
        billing_account = await cost_explorer.caller_account(sts)

        async def fetch(window: Window) -> ApiAnswer:
            return await cost_explorer.read_cost_explorer(
                ce, window, billing_account, period, amortized
            )

        bill = ApiBill(
            tenant=source.tenant, account_id=source.account_id, source=cost_explorer.SOURCE,
            endpoint=cost_explorer.ENDPOINT, billing_account_id=billing_account, period=period,
            fetch=fetch,
        )  # fmt: skip
        return await ingest_api_bill(database, bill)


async def _cost_management(
    database: Database, source: BillingSource, azure: AzureSession, period: BillingPeriod
) -> IngestOutcome:
    from nephos_metering.ingest import cost_management

    amortized = bool(source.config.get("amortized"))
    async with cost_management.cost_client(azure) as client:

        async def fetch(window: Window) -> ApiAnswer:
            return await cost_management.read_cost_management(
                client, azure.subscription_id, window, period, amortized
            )

        bill = ApiBill(
            tenant=source.tenant, account_id=source.account_id, source=cost_management.SOURCE,
            endpoint=cost_management.endpoint(azure.subscription_id),
            billing_account_id=azure.subscription_id, period=period, fetch=fetch,
        )  # fmt: skip
        return await ingest_api_bill(database, bill)


def _sas_token(source: BillingSource, box: SecretBox) -> str:
    try:
        secret = source.secret(box) or {}
    except ValueError:
        message = (
            "the source's SAS token cannot be decrypted with this service's key; give it again"
        )
        raise InvalidInput(message, code="credentials_unreadable") from None
    token = secret.get("sas_token")
    if not token:
        raise InvalidInput("the source has no SAS token", code="credentials_required")
    return str(token)


async def _azure_export(
    database: Database, source: BillingSource, period: BillingPeriod, options: ReadOptions
) -> IngestOutcome:
    config: dict[str, Any] = source.config
    access = BlobAccess(endpoint=config["blob_endpoint"], container=config["container"],
                        sas_token=_sas_token(source, options.box),
                        chunk_bytes=options.chunk_bytes)  # fmt: skip
    job = ExportIngest(
        tenant=source.tenant, account_id=source.account_id, access=access,
        directory=config["directory"], export_name=config["export_name"],
        cost_type=config["cost_type"], period=period,
    )  # fmt: skip
    return await ingest_export(database, job, options.batch_rows)


async def ingest_period(
    database: Database, source: BillingSource, cloud: CloudSession, month: str,
    options: ReadOptions,
) -> IngestOutcome:  # fmt: skip
    """Ingest one billing period (``YYYY-MM``) of the source as one delivery."""
    period = BillingPeriod.of_month(month)
    kind = SourceKind(source.kind)
    if kind is SourceKind.AWS_CUR:
        return await _cur(database, source, _aws(cloud), period, options.batch_rows)
    if kind is SourceKind.AZURE_EXPORT:
        return await _azure_export(database, source, period, options)
    if kind is SourceKind.AWS_COST_EXPLORER:
        return await _cost_explorer(database, source, _aws(cloud), period)
    return await _cost_management(database, source, _azure(cloud), period)
