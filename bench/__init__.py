"""`make bench`: a realistic region on PostgreSQL and the active file measured through the real views.

- `bench/generate.py` builds the region (COPY on PostgreSQL, batched INSERTs elsewhere);
- `bench/run.py` measures the scenarios and prints one `BENCH …` line each;
- `bench/settings.py` the settings both run with. See `bench/README.md`.
"""
