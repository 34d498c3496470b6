"""The registry forms: `people` (households, persons, events, filters) and `io` (import and export)."""
