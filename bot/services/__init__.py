"""The use cases of the method, grouped along its seams. Doors hold one ``Services``."""

from __future__ import annotations

from collections.abc import Callable

from bot.ports import Clock, Filer, Store
from bot.services.base import Actor, Deps
from bot.services.capture import CaptureService, Reacted
from bot.services.cycle import CycleService, Delivery
from bot.services.journey import JourneyService
from bot.services.moments import Filed, MomentService
from bot.services.onboarding import WAITING_DAYS, Onboarding
from bot.services.org import OrgService
from bot.services.org_delivery import OrgDelivery
from bot.services.privacy import PrivacyService, WorkspacePatterns
from bot.services.reports import ReportService
from bot.services.weekly import Result, WeeklyService

__all__ = ["Actor", "Filed", "Reacted", "Result", "Services"]


class Services:
    def __init__(self, *, store: Store, clock: Clock, make_filer: Callable[[], Filer],
                 waiting_days: int = WAITING_DAYS) -> None:
        self.deps = Deps(store, clock, make_filer)
        self.store = store
        self.clock = clock
        # One cache of each workspace's redaction patterns, so adding one takes effect at once.
        self.redaction = WorkspacePatterns(self.deps)
        self.moments = MomentService(self.deps, self.redaction)
        self.journey = JourneyService(self.deps)
        self.weekly = WeeklyService(self.deps, self.redaction)
        self.reports = ReportService(self.deps)
        self.cycle = CycleService(self.weekly, self.reports, self.deps)
        self.capture = CaptureService(self.deps, self.moments)
        self.privacy = PrivacyService(self.deps, self.redaction)
        self.onboarding = Onboarding(self.deps, self.journey, self.moments, self.capture,
                                     waiting_days=waiting_days)
        self.delivery = Delivery(self.cycle, self.weekly, self.reports, self.deps)
        self.org = OrgService(self.deps)  # the whole organisation: bot/services/org.py
        self.org_delivery = OrgDelivery(self.org, self.deps)
