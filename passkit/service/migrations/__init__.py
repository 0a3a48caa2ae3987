"""The alembic migrations of the pass service's database (run by `passkit.service.database`)."""
