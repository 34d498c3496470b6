"""The registry pages: `households` (the lists, households, the ID check and transfers), `persons` (one
person and the actions on them) and `io` (import and export, mounted by `urls_io.py`)."""
