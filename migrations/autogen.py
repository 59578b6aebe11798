"""Autogenerate filters shared by env.py and the drift test."""

MATERIALIZED_VIEWS = frozenset({"admin_analytics"})


def include_object(obj, name, type_, reflected, compare_to):
    """Keep autogenerate away from the materialized view and its indexes (managed by hand in 0002)."""
    if type_ == "table" and name in MATERIALIZED_VIEWS:
        return False
    table = getattr(obj, "table", None)
    return not (type_ == "index" and getattr(table, "name", None) in MATERIALIZED_VIEWS)
