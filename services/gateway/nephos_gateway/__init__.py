"""Nephos gateway: the GraphQL API, resolved over the services' REST APIs."""
