"""The programmes pages, one module per sub-domain (`programmes`, `applications`, `grievances`,
`enrolments`, `cycles`); each `urls_*.py` mounts one of them. Thin: forms in, services out."""
