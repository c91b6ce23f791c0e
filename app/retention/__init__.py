"""Retention by law and evidence holds: the policies (pure, `policy.py`), the holds
(`holds.py`), and enforcement: `enforce.py` runs one sweep a clock (`sweeps.py`; whole day
partitions of non-hit reads in `days.py`) in short batches (`batches.py`), counting what went
into a `report.py`."""
