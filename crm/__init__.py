"""The CRM domain: models and services. Nothing in this package imports Slack.

Service functions take a SQLAlchemy Session and keyword-only typed arguments, raise
`crm.errors.DomainError` subclasses with messages a user can act on, and never commit:
the caller (Slack middleware, job wrapper, CLI) owns the transaction.
"""
