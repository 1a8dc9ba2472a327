"""Native type names of the AWS resources in the demo estate.

They match the asset service's AWS specs; repeated here because the devstack
must not depend on a service.
"""

INSTANCE = "aws.ec2.instance"
AUTOSCALING_GROUP = "aws.autoscaling.group"
VOLUME = "aws.ec2.volume"
SNAPSHOT = "aws.ec2.snapshot"
IMAGE = "aws.ec2.image"
VPC = "aws.ec2.vpc"
SUBNET = "aws.ec2.subnet"
ROUTE_TABLE = "aws.ec2.route_table"
INTERNET_GATEWAY = "aws.ec2.internet_gateway"
NAT_GATEWAY = "aws.ec2.nat_gateway"
NETWORK_INTERFACE = "aws.ec2.network_interface"
ELASTIC_IP = "aws.ec2.elastic_ip"
SECURITY_GROUP = "aws.ec2.security_group"
NETWORK_ACL = "aws.ec2.network_acl"
LOAD_BALANCER = "aws.elbv2.load_balancer"
DB_INSTANCE = "aws.rds.db_instance"
CACHE_CLUSTER = "aws.elasticache.cluster"
BUCKET = "aws.s3.bucket"
