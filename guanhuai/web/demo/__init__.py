"""The demo province: the real divisions of Guangdong, generated townships and villages below three
cities, one user per role, and a demo job. `guanhuai demo` is the interface; the work is here."""
