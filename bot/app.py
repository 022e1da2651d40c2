"""Wiring: the one module that joins the core, storage and the doors."""

from __future__ import annotations

from bot.config import Settings
from bot.filing import KeywordFiler
from bot.ports import Clock, Filer
from bot.services import Services
from storage import DoorStorage, SqlStore, open_store


def build_services(settings: Settings, *, clock: Clock, migrate: bool = True) -> Services:
    store = open_store(settings.database_url, migrate=migrate)

    def make_filer() -> Filer:
        return KeywordFiler(threshold=settings.filing_threshold)

    return Services(store=store, clock=clock, make_filer=make_filer)


def build_door_storage(services: Services) -> DoorStorage:
    """The doors' own storage (Slack's request inbox, the scheduler's lock), on the same database."""
    assert isinstance(services.store, SqlStore)
    return DoorStorage.on(services.store.engine)
