"""Native type names of the Azure resources in the stand-in estate.

They match the asset service's Azure specs; repeated here because the
devstack must not depend on a service.
"""

VIRTUAL_MACHINE = "azure.compute.virtual_machine"
SCALE_SET = "azure.compute.virtual_machine_scale_set"
SCALE_SET_VM = "azure.compute.virtual_machine_scale_set_vm"
DISK = "azure.compute.disk"
SNAPSHOT = "azure.compute.snapshot"
IMAGE = "azure.compute.image"
VIRTUAL_NETWORK = "azure.network.virtual_network"
SUBNET = "azure.network.subnet"
NETWORK_INTERFACE = "azure.network.network_interface"
PUBLIC_IP = "azure.network.public_ip_address"
SECURITY_GROUP = "azure.network.network_security_group"
LOAD_BALANCER = "azure.network.load_balancer"
APPLICATION_GATEWAY = "azure.network.application_gateway"
STORAGE_ACCOUNT = "azure.storage.storage_account"
SQL_SERVER = "azure.sql.server"
SQL_DATABASE = "azure.sql.database"
POSTGRESQL_SERVER = "azure.postgresql.flexible_server"
MYSQL_SERVER = "azure.mysql.flexible_server"
REDIS_CACHE = "azure.cache.redis"
