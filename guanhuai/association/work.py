"""The association app's items on the home page's work queue (`core/work.py` says how items work)."""
