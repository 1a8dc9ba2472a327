"""Azure discovery through the async azure-mgmt-* clients."""

from nephos_asset.collectors.azure.access import AzureAccess
from nephos_asset.collectors.azure.collector import AzureCollector
from nephos_asset.collectors.azure.spec import ResourceSpec
from nephos_asset.collectors.azure.specs import SPECS

__all__ = ["SPECS", "AzureAccess", "AzureCollector", "ResourceSpec"]
