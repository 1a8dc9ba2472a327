"""An ARM-compatible stand-in server for exercising Azure collectors without Azure.

``ArmServer`` holds the state, ``running_arm_server`` serves it on
127.0.0.1, ``seed_azure_estate`` fills it with a realistic estate and says
what a discovery should find. ``blobs_of(server)`` holds its Blob Storage
(containers, blobs, SAS grants), served by the same server.
"""

from nephos_devstack.arm_server.blob_store import BlobStore, blobs_of
from nephos_devstack.arm_server.estate import AzureEstateManifest, LocationEstate, seed_azure_estate
from nephos_devstack.arm_server.runner import running_arm_server
from nephos_devstack.arm_server.store import ArmConfig, ArmServer, Faults

__all__ = [
    "ArmConfig",
    "ArmServer",
    "AzureEstateManifest",
    "BlobStore",
    "Faults",
    "LocationEstate",
    "blobs_of",
    "running_arm_server",
    "seed_azure_estate",
]
