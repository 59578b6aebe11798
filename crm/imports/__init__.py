"""Importing a roster from a CSV/TSV file: read the table, map its columns, plan, then apply.

read_table (crm.imports.table) → map_columns (crm.imports.columns) → plan_import (crm.imports.plan,
writes nothing) → apply_import (crm.imports.apply, all or nothing, in the caller's transaction).
"""
