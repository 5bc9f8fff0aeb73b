"""Data access by aggregate: the only package that talks to DynamoDB (analytics keeps its own history).
Reads by key or index only; no Scan anywhere. Each module builds its own stored items from domain values."""
