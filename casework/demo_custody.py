"""Synthetic custody timelines, obligations, proceedings, returns and follow-ups for
`seed_demo`: drawn from a random generator of their own, bulk-written."""

import datetime
import random
from dataclasses import dataclass, field

from casework.models import (
    Case,
    CustodyEvent,
    CustodyObligations,
    FollowUp,
    IcrcVisit,
    LegalProceeding,
    ReintegrationService,
    ReturnListEntry,
    WayHome,
    add_months,
)
from casework.vocabularies import (
    FOLLOW_UP_MONTHS,
    CustodyEventKind,
    PowerConfirmation,
    ProceedingOutcome,
    ReturnListKind,
    ServiceKind,
    ServiceOutcome,
    Situation,
    SourceReliability,
)

BATCH = 2000
DETAINING_AUTHORITY = "Armed Forces of Ukraine"
COORDINATION = "Coordination Headquarters for the Treatment of Prisoners of War"
FACILITIES = ["Western POW camp No. 1", "Pre-trial detention centre, Lviv", "Camp 'Zakhid-3'"]
SOURCES = [
    ("ICRC Central Tracing Agency", SourceReliability.CONFIRMED),
    ("Coordination Headquarters list", SourceReliability.CONFIRMED),
    ("Video published by a Ukrainian unit", SourceReliability.RELIABLE),
    ("Family, from a phone call", SourceReliability.UNCONFIRMED),
    ("Fellow prisoner after exchange", SourceReliability.UNCONFIRMED),
]
CHARGES = [
    "Participation in armed aggression (art. 437 Criminal Code of Ukraine)",
    "Mercenarism (art. 447 Criminal Code of Ukraine)",
    "Violation of the laws of war (art. 438 Criminal Code of Ukraine)",
]
PROVIDERS = {
    ServiceKind.LEGAL: "Legal aid clinic",
    ServiceKind.CONSULAR: "Ministry of Foreign Affairs, diaspora desk",
    ServiceKind.MEDICAL: "District hospital",
    ServiceKind.PSYCHOSOCIAL: "Trauma counselling centre",
    ServiceKind.TRAVEL: "IOM",
    ServiceKind.LIVELIHOOD: "Vocational training programme",
    ServiceKind.RECRUITER_DEBT: "Legal aid clinic",
}
# Situations whose persons went through Ukrainian custody, and how many did.
CUSTODY_CHANCE = {
    Situation.POW_IN_UKRAINE: 1.0,
    Situation.EXCHANGED_TO_RUSSIA: 1.0,
    Situation.RETURNED_HOME: 0.6,
}


@dataclass
class CustodyRows:
    """Everything drawn for a batch of cases, written by `save`."""

    events: list[CustodyEvent] = field(default_factory=list)
    obligations: list[CustodyObligations] = field(default_factory=list)
    visits: list[IcrcVisit] = field(default_factory=list)
    proceedings: list[LegalProceeding] = field(default_factory=list)
    lists: list[ReturnListEntry] = field(default_factory=list)
    ways_home: list[WayHome] = field(default_factory=list)
    services: list[ReintegrationService] = field(default_factory=list)
    follow_ups: list[FollowUp] = field(default_factory=list)

    def save(self) -> None:
        for model, rows in [
            (CustodyEvent, self.events),
            (CustodyObligations, self.obligations),
            (IcrcVisit, self.visits),
            (LegalProceeding, self.proceedings),
            (ReturnListEntry, self.lists),
            (WayHome, self.ways_home),
            (ReintegrationService, self.services),
            (FollowUp, self.follow_ups),
        ]:
            model.objects.bulk_create(rows, batch_size=BATCH)
        # bulk_create skips CustodyEvent.save: the custody status is set here, in one UPDATE.
        CustodyEvent.refresh_case_status(*{e.case_id for e in self.events})


class CustodyDrawer:
    """Draws custody and return rows for cases whose recruitment records a capture."""

    def __init__(self, seed: int, now: datetime.datetime):
        # A generator of its own: the rest of the demo data stays as it was without it.
        self.rng = random.Random(f"custody-{seed}")
        self.now = now
        self.today = now.date()

    def day(self, start: datetime.date, low: int, high: int) -> datetime.date:
        """A day `low`..`high` days after `start`, never after today."""
        return min(start + datetime.timedelta(days=self.rng.randint(low, high)), self.today)

    def draw(
        self, rows: CustodyRows, case: Case, captured: datetime.date | None, place: str, by
    ) -> datetime.date | None:
        """Add the case's custody story to `rows`, if the person was ever in custody;
        return the capture date (drawn here if `captured` is None), or None."""
        rng = self.rng
        if rng.random() >= CUSTODY_CHANCE.get(case.situation, 0):
            return None
        captured = captured or self.day(self.today, -500, -90)
        events = self._events(case, captured, place, by)
        rows.events.extend(events)
        rows.obligations.append(self._obligations(case, captured))
        registered = rows.obligations[-1].icrc_registered_on
        if registered:
            for _ in range(rng.randint(0, 3)):
                rows.visits.append(
                    IcrcVisit(
                        case=case,
                        visited_on=self.day(registered, 10, 200),
                        recorded_by=by,
                        recorded_at=self.now,
                    )
                )
        if rng.random() < 0.12:
            rows.proceedings.append(self._proceeding(case, by))
        left_custody = events[-1].occurred_on if events[-1].kind in _LEFT else None
        if left_custody or rng.random() < 0.3:
            rows.lists.append(self._list_entry(case, captured, left_custody, by))
        if case.situation == Situation.RETURNED_HOME and left_custody:
            self._return(rows, case, left_custody, by)
        return captured

    def _events(self, case, captured, place, by) -> list[CustodyEvent]:
        rng = self.rng
        source, reliability = rng.choice(SOURCES)

        def event(kind, on, **fields):
            return CustodyEvent(
                case=case,
                kind=kind,
                occurred_on=on,
                source=source,
                source_reliability=reliability,
                recorded_by=by,
                recorded_at=self.now,
                **fields,
            )

        held = self.day(captured, 2, 20)
        events = [
            event(CustodyEventKind.CAPTURED, captured, place=place, authority=DETAINING_AUTHORITY),
            event(
                CustodyEventKind.HELD_AT,
                held,
                place=rng.choice(["Lviv Oblast", "Volyn Oblast", "Rivne Oblast"]),
                authority=COORDINATION,
                facility=rng.choice(FACILITIES),
            ),
        ]
        if rng.random() < 0.3:
            events.append(
                event(CustodyEventKind.TRANSFERRED, self.day(held, 20, 120), authority=COORDINATION)
            )
        if rng.random() < 0.1:
            events.append(event(CustodyEventKind.HOSPITALISED, self.day(held, 5, 90)))
        last = max(e.occurred_on for e in events)
        if case.situation == Situation.EXCHANGED_TO_RUSSIA:
            events.append(event(CustodyEventKind.EXCHANGED, self.day(last, 30, 200)))
        elif case.situation == Situation.RETURNED_HOME:
            events.append(event(CustodyEventKind.REPATRIATED, self.day(last, 30, 200)))
        events.sort(key=lambda e: e.occurred_on)
        return events

    def _obligations(self, case, captured) -> CustodyObligations:
        rng = self.rng
        sent = self.day(captured, 2, 12) if rng.random() < 0.85 else None
        registered = self.day(captured, 5, 60) if rng.random() < 0.8 else None
        requested = self.day(captured, 20, 90) if rng.random() < 0.5 else None
        russia = rng.random() < 0.6
        return CustodyObligations(
            case=case,
            capture_card_sent_on=sent,
            capture_card_received_on=self.day(sent, 5, 40) if sent and rng.random() < 0.7 else None,
            icrc_registered_on=registered,
            icrc_reference=f"CTA-UA-{rng.randint(100000, 999999)}" if registered else None,
            power_notified_on=self.day(captured, 7, 45) if rng.random() < 0.7 else None,
            consular_access_requested_on=requested,
            consular_access_granted_on=(
                self.day(requested, 10, 60) if requested and rng.random() < 0.5 else None
            ),
            # He served in Russian forces: Russia is often the power he depends on.
            dependent_power="RU" if russia else "",
            dependent_power_confirmation=PowerConfirmation.DOCUMENTS_SEEN if russia else "",
        )

    def _proceeding(self, case, by) -> LegalProceeding:
        rng = self.rng
        pending = rng.random() < 0.7
        return LegalProceeding(
            case=case,
            charge=rng.choice(CHARGES),
            court=rng.choice(["Lviv District Court", "Shevchenkivskyi District Court, Kyiv"]),
            next_hearing_on=self.today + datetime.timedelta(days=rng.randint(2, 60))
            if pending
            else None,
            lawyer=rng.choice(["Free legal aid centre", "Counsel appointed by the court"]),
            outcome=ProceedingOutcome.PENDING
            if pending
            else rng.choice([ProceedingOutcome.CONVICTED, ProceedingOutcome.PARDONED]),
            notes="The defence argues he was deceived into signing the contract.",
            recorded_by=by,
            recorded_at=self.now,
        )

    def _list_entry(self, case, captured, left_custody, by) -> ReturnListEntry:
        kind = (
            ReturnListKind.REPATRIATION
            if case.situation == Situation.RETURNED_HOME
            else ReturnListKind.EXCHANGE
        )
        listed = self.day(captured, 30, 150)
        if left_custody:
            listed = min(listed, left_custody)
        return ReturnListEntry(
            case=case,
            list_kind=kind,
            list_name=f"{kind.label} {listed:%Y-%m}",
            listed_on=listed,
            listed_by=COORDINATION,
            last_news_on=left_custody or self.day(listed, 0, 60),
            recorded_by=by,
            recorded_at=self.now,
        )

    def _return(self, rows: CustodyRows, case, left_custody, by) -> None:
        rng = self.rng
        arrived = self.day(left_custody, 1, 10)
        rows.ways_home.append(
            WayHome(
                case=case,
                travel_documents="Emergency travel document",
                travel_documents_issued_on=self.day(left_custody, -20, -1),
                travel_on=arrived,
                arrived_on=arrived,
                handed_over_on=arrived,
                handed_over_to=rng.choice(["Family at the airport", "Consular officer"]),
            )
        )
        for months in FOLLOW_UP_MONTHS:
            due = add_months(arrived, months)
            done = due <= self.today and rng.random() < 0.8
            rows.follow_ups.append(
                FollowUp(
                    case=case,
                    months=months,
                    due_on=due,
                    done_on=self.day(due, 0, 10) if done else None,
                    note="Doing well, looking for work." if done else None,
                )
            )
        for kind in rng.sample(list(ServiceKind), rng.randint(1, 4)):
            started = self.day(arrived, 0, 60)
            ended = self.day(started, 10, 120) if rng.random() < 0.5 else None
            rows.services.append(
                ReintegrationService(
                    case=case,
                    kind=kind,
                    provider=PROVIDERS[kind],
                    started_on=started,
                    ended_on=ended,
                    outcome=ServiceOutcome.COMPLETED if ended else ServiceOutcome.IN_PROGRESS,
                    recorded_by=by,
                    recorded_at=self.now,
                )
            )


_LEFT = {CustodyEventKind.EXCHANGED, CustodyEventKind.REPATRIATED, CustodyEventKind.RELEASED}
