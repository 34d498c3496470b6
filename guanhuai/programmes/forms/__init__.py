"""The programmes forms, one module per page module of the same name in `views/`."""
