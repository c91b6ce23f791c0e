"""The Oakland-hour simulator: a client of Lookout's public HTTP API, nothing more.

`lookout simulate` and `bench/oakland_hour.py` drive it. It builds a seeded scenario (officers
patrolling their beats, cameras at real intersections, a stolen list and a wanted list, cars
read along corridors, misreads, bulletins), plays it against a running service at a chosen
speed, answers alerts the way officers do, and measures the alert budget from what each
officer's phone received (the FCM inbox). It imports nothing else of `app`: an
import-linter contract in pyproject keeps it a pure client, so it measures whichever policy the
service runs.
"""
