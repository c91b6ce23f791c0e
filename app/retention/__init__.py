"""Retention by law and evidence holds: the policies (pure), the holds, and enforcement."""
