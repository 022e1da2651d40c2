"""The scheduler's PostgreSQL tests reuse the storage tests' throwaway databases."""

from tests.storage.conftest import new_postgres_database, postgres_admin  # noqa: F401
