"""The staff workplace's own domain logic: searching interviews and requests, the interviews at risk, and the
policy editor's versions and simulation (what the console pages need beyond the lifecycle)."""
