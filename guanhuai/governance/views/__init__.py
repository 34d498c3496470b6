"""The governance pages, one module per sub-domain; `urls.py` mounts them. Thin: forms in, services out,
on the core/web.py kit."""
