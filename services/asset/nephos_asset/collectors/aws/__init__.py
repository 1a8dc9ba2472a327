"""AWS discovery through aiobotocore."""

from nephos_asset.collectors.aws.access import AwsAccess
from nephos_asset.collectors.aws.collector import GLOBAL_REGION, AwsCollector
from nephos_asset.collectors.aws.specs import SPECS, ResourceSpec

__all__ = ["GLOBAL_REGION", "SPECS", "AwsAccess", "AwsCollector", "ResourceSpec"]
