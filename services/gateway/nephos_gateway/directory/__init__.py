"""The gateway's directory: companies (tenants), users, user groups, roles, MSP assignments."""
