"""Which collector class discovers which provider.

Collectors are looked up by the provider name stored on the cloud account, so
adding a provider means adding one line here.
"""

from __future__ import annotations

from nephos_asset.collectors.aws import AwsCollector
from nephos_asset.collectors.azure import AzureCollector

COLLECTORS: dict[str, type] = {
    "aws": AwsCollector,
    "azure": AzureCollector,
}
