"""Hot lists: lists and entries, file imports, the in-memory index and its change feed, hit to
alert, retro check.
"""
