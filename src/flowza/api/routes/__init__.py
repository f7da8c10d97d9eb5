"""One router per resource; each route parses, calls a repository, a service or the engine, returns JSON."""
