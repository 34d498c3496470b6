"""The association's forms, one module per page module of the same name in `views/`."""
