"""Plate reads: camera identity, one row builder for every intake, the group-commit writer, bulk
store and vendor-retry dedup.
"""
