"""Exports: the audit log for state access-log rules (SB 34), and the warehouse in Parquet."""
