"""Invent a Family Safeguarding service month by month, as rows ready for bulk insert (no database here).

Each child carries a hidden level of risk (0 safe, 3 very high) that drifts from month to month, jumps after an
incident and falls after a placement. The hidden level drives everything visible: professionals' ratings (each
with their own leaning and the odd sharp disagreement; in a few families one adult specialist is told what they want
to hear, month after month), moves between CIN, CP, PLO, proceedings and care, and families closing once they are
safe. Every random choice comes from one seeded generator, in a fixed order, so
a seed always gives the same service, down to the timestamps.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from faker import Faker

from risk.months import month_start
from risk.presentation import family_name_from_surnames
from risk.vocabulary import RAG, LegalStatus, MeetingStatus, Role
from seed.phrases import ACTIONS, DECISIONS, RATIONALES, SURNAME_ENDS, SURNAME_STARTS, UPDATES
from seed.scales import Scale

Row = dict[str, Any]

SPECIALISTS = (
    Role.DOMESTIC_ABUSE_PRACTITIONER,
    Role.DOMESTIC_ABUSE_OFFICER,
    Role.SUBSTANCE_MISUSE_WORKER,
    Role.MENTAL_HEALTH_PRACTITIONER,
    Role.FAMILY_SUPPORT_WORKER,
    Role.PSYCHOLOGIST,
)
SPECIALIST_WEIGHTS = (5, 4, 4, 4, 5, 1)
ADULT_SPECIALISTS = SPECIALISTS[:4]  # the domestic abuse, substance misuse and mental health workers
CHILDREN_WEIGHTS = {1: 35, 2: 35, 3: 20, 4: 10}
DISGUISED_COMPLIANCE_SHARE = 0.25
"""Of the families whose risk is high at some point, the share whose parents show one specialist a better face:
that professional always rates green, so the chair sees persistent disagreement (red against green, or one role
below everyone) in the demo."""
DISCUSSED_SHARE = 0.92
UPDATE_SHARE = 0.35
UPDATE_SHARE_OPEN = 0.25
DECISION_SHARE = 0.85
"""Of the families open at a past meeting, how many it discussed (a long caseload is not always finished)."""
SPECIALIST_COUNT_WEIGHTS = {1: 30, 2: 35, 3: 25, 4: 10}
ESCALATION = (LegalStatus.CIN, LegalStatus.CP, LegalStatus.PLO, LegalStatus.CARE_PROCEEDINGS, LegalStatus.CLA)


def add_months(day: dt.date, months: int) -> dt.date:
    """Same day of month (at most the 28th), `months` later or earlier."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, min(day.day, 28))


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=dt.UTC)


@dataclass
class _Child:
    id: int
    risk: float
    statuses: list[tuple[LegalStatus, dt.date]] = field(default_factory=list)
    risk_by_month: dict[dt.date, float] = field(default_factory=dict)


@dataclass
class _Family:
    id: int
    team_index: int
    opened_on: dt.date
    trend: float
    children: list[_Child]
    closed_on: dt.date | None = None
    involvements: list[tuple[int, dt.date, dt.date | None]] = field(default_factory=list)


@dataclass
class SeedRows:
    """Rows per table, in insert order."""

    tables: dict[str, list[Row]] = field(default_factory=lambda: defaultdict(list))

    def add(self, table: str, row: Row) -> int:
        rows = self.tables[table]
        row["id"] = len(rows) + 1
        rows.append(row)
        return row["id"]


class ServiceSimulation:
    def __init__(self, scale: Scale, random_seed: int, today: dt.date) -> None:
        self.scale = scale
        self.today = today
        self.random_seed = random_seed
        self.rng = random.Random(random_seed)
        self.names_rng = random.Random(f"surnames-{random_seed}")  # its own stream: the rest stays as it was
        self.fake = Faker("en_GB")
        self.fake.seed_instance(random_seed)
        self.rows = SeedRows()
        self.emails: set[str] = set()
        self.team_ids: list[int] = []
        self.staff: list[dict[Role, list[int]]] = []  # per team: role -> user ids
        self.psychologist_of_team: list[int] = []
        self.manager_of_team: list[int] = []
        self.leaning: dict[int, float] = {}  # user id -> how much more severe than the evidence they rate
        self.role_of: dict[int, Role] = {}
        self.deceived: dict[int, int | None] = {}  # family id -> the specialist its parents deceive, if any
        self.families: list[_Family] = []
        self.meetings: list[list[tuple[int, dt.date]]] = []  # per team: (meeting id, held on)
        self.started = dt.date(2000, 1, 1)

    # --- people -------------------------------------------------------------------------------------------------

    def _person(self, role: Role, team_id: int | None, office_id: int | None) -> int:
        first, last = self.fake.first_name(), self.fake.last_name()
        local = re.sub(r"[^a-z]", "", first.lower()) + "." + re.sub(r"[^a-z]", "", last.lower())
        email, n = f"{local}@example.org", 1
        while email in self.emails:
            n += 1
            email = f"{local}{n}@example.org"
        self.emails.add(email)
        user_id = self.rows.add(
            "users",
            {
                "display_name": f"{first} {last}",
                "email": email,
                "role": role,
                "team_id": team_id,
                "office_id": office_id,
                "active": True,
                "password_hash": None,
                "failed_sign_ins": 0,
                "locked_until": None,
                "created_at": at(self.started, 8),
            },
        )
        self.leaning[user_id] = self.rng.gauss(0, 0.12)
        self.role_of[user_id] = role
        return user_id

    def people(self) -> None:
        low, high = self.scale.social_workers
        self._person(Role.ADMINISTRATOR, None, None)
        self._person(Role.SERVICE_LEAD, None, None)  # head of service: every office
        for office_name, team_names in self.scale.offices:
            office_id = self.rows.add("office", {"name": office_name})
            self._person(Role.SERVICE_LEAD, None, office_id)
            psychologist = self._person(Role.PSYCHOLOGIST, None, office_id)
            for team_name in team_names:
                team_id = self.rows.add("team", {"office_id": office_id, "name": team_name})
                staff: dict[Role, list[int]] = defaultdict(list)
                staff[Role.TEAM_MANAGER].append(self._person(Role.TEAM_MANAGER, team_id, office_id))
                staff[Role.SENIOR_PRACTITIONER].append(self._person(Role.SENIOR_PRACTITIONER, team_id, office_id))
                for _ in range(self.rng.randint(low, high) - 1):
                    staff[Role.SOCIAL_WORKER].append(self._person(Role.SOCIAL_WORKER, team_id, office_id))
                for role in SPECIALISTS[:4]:
                    staff[role].append(self._person(role, team_id, office_id))
                for _ in range(self.scale.family_support_workers):
                    staff[Role.FAMILY_SUPPORT_WORKER].append(
                        self._person(Role.FAMILY_SUPPORT_WORKER, team_id, office_id)
                    )
                staff[Role.PSYCHOLOGIST].append(psychologist)
                self.team_ids.append(team_id)
                self.staff.append(staff)
                self.manager_of_team.append(staff[Role.TEAM_MANAGER][0])

    # --- meetings -----------------------------------------------------------------------------------------------

    def meeting_dates(self) -> None:
        """Monthly, on a team's own day; each team's latest meeting is today or within the next fortnight, open."""
        for index, team_id in enumerate(self.team_ids):
            latest = self.today + dt.timedelta(days=index % 10)
            dates = [add_months(latest, -k) for k in range(self.scale.meetings_per_team - 1, 0, -1)] + [latest]
            meetings = []
            for held_on in dates:
                is_open = held_on == latest
                meeting_id = self.rows.add(
                    "meeting",
                    {
                        "team_id": team_id,
                        "held_on": held_on,
                        "status": MeetingStatus.OPEN if is_open else MeetingStatus.CLOSED,
                        "chair_id": self.manager_of_team[index],
                        "opened_at": at(held_on - dt.timedelta(days=7), 9),
                        "closed_at": None if is_open else at(held_on, 12, 30),
                    },
                )
                meetings.append((meeting_id, held_on))
            self.meetings.append(meetings)
        self.started = month_start(add_months(min(m[0][1] for m in self.meetings), -1))

    # --- caseload -----------------------------------------------------------------------------------------------

    def _day_in(self, month: dt.date, after: dt.date) -> dt.date | None:
        """A random day of `month` after `after` and not after today, or None if there is none."""
        first = max(month, after + dt.timedelta(days=1))
        last = min(add_months(month, 1) - dt.timedelta(days=1), self.today)
        if first > last:
            return None
        return first + dt.timedelta(days=self.rng.randint(0, (last - first).days))

    def _open_family(self, team_index: int, opened_on: dt.date) -> _Family:
        family_id = len(self.families) + 1
        base = self.rng.uniform(0.1, 2.0)
        children = []
        for _ in range(self._weighted(CHILDREN_WEIGHTS)):
            risk = min(2.99, max(0.0, base + self.rng.gauss(0, 0.3)))
            child = _Child(id=0, risk=risk)
            child.statuses.append((self._first_status(risk), opened_on))
            children.append(child)
        family = _Family(family_id, team_index, opened_on, self.rng.gauss(-0.06, 0.06), children)
        self.families.append(family)
        return family

    def _first_status(self, risk: float) -> LegalStatus:
        if risk > 2.3:
            options = {LegalStatus.CP: 60, LegalStatus.PLO: 20, LegalStatus.CARE_PROCEEDINGS: 12, LegalStatus.CLA: 8}
        elif risk > 1.4:
            options = {LegalStatus.CIN: 40, LegalStatus.CP: 55, LegalStatus.PLO: 5}
        else:
            options = {LegalStatus.CIN: 85, LegalStatus.CP: 15}
        return self._weighted(options)

    def _weighted(self, options: dict[Any, int]) -> Any:
        return self.rng.choices(list(options), weights=list(options.values()))[0]

    def caseload(self) -> None:
        """Open, evolve and close families month by month, keeping each team's open caseload near its size."""
        target = self.scale.open_families_per_team
        open_by_team: list[list[_Family]] = [[] for _ in self.team_ids]
        for team_index in range(len(self.team_ids)):
            for _ in range(target):
                opened_on = self.started - dt.timedelta(days=self.rng.randint(20, 540))
                open_by_team[team_index].append(self._open_family(team_index, opened_on))
        month = self.started
        while month <= self.today:
            for team_index, families in enumerate(open_by_team):
                still_open = []
                for family in families:
                    self._evolve(family, month)
                    if not self._maybe_close(family, month):
                        still_open.append(family)
                new = max(0, target - len(still_open) + self.rng.randint(-1, 1))
                for _ in range(new):
                    opened_in_month = self._day_in(month, month - dt.timedelta(days=1))
                    if opened_in_month is not None:
                        family = self._open_family(team_index, opened_in_month)
                        self._evolve(family, month)
                        still_open.append(family)
                open_by_team[team_index] = still_open
            month = add_months(month, 1)

    def _evolve(self, family: _Family, month: dt.date) -> None:
        """One month of a family's life: drift, the odd incident or turn-around, and plan changes that follow."""
        if self.rng.random() < 0.06:
            family.trend = self.rng.gauss(-0.06, 0.07)  # things turn round, for better or worse
        for child in family.children:
            if child.risk_by_month:
                incident = 0.7 if self.rng.random() < 0.03 else 0.0
                child.risk = min(2.99, max(0.0, child.risk + family.trend + incident + self.rng.gauss(0, 0.15)))
            child.risk_by_month[month] = child.risk
            self._move_plan(child, month)

    def _move_plan(self, child: _Child, month: dt.date) -> None:
        status, since = child.statuses[-1]
        level = ESCALATION.index(status)
        risk = child.risk
        step = 0
        if status is LegalStatus.CLA:
            step = 0
        elif risk > 2.1 and self.rng.random() < (0.3 if level == 0 else 0.12):
            step = 1
        elif risk < 1.3 and level in (1, 2) and self.rng.random() < 0.3:
            step = -1
        elif status is LegalStatus.CARE_PROCEEDINGS and risk < 1.5 and self.rng.random() < 0.1:
            step = -2  # returned home under a child protection plan
        if step == 0:
            return
        day = self._day_in(month, since)
        if day is None:
            return
        new = ESCALATION[level + step]
        child.statuses.append((new, day))
        if new is LegalStatus.CLA:
            child.risk = max(0.0, child.risk - 1.0)  # placed somewhere safe

    def _maybe_close(self, family: _Family, month: dt.date) -> bool:
        worst = max(c.risk for c in family.children)
        plans = {c.statuses[-1][0] for c in family.children}
        if plans & {LegalStatus.PLO, LegalStatus.CARE_PROCEEDINGS}:
            return False
        # safe now, or every child placed (the case moves to the looked-after children's team)
        chance = 0.15 if worst < 1.0 or plans == {LegalStatus.CLA} else 0.02
        if (month - family.opened_on).days < 75 or self.rng.random() >= chance:
            return False
        last_change = max(c.statuses[-1][1] for c in family.children)
        closed_on = self._day_in(month, last_change)
        if closed_on is None:
            return False
        family.closed_on = closed_on
        for child in family.children:
            child.statuses.append((LegalStatus.CLOSED, closed_on))
        return True

    # --- who works with whom ------------------------------------------------------------------------------------

    def involvement(self) -> None:
        caseloads: dict[int, int] = defaultdict(int)
        for family in sorted(self.families, key=lambda f: (f.opened_on, f.id)):
            staff = self.staff[family.team_index]
            workers = staff[Role.SENIOR_PRACTITIONER] + staff[Role.SOCIAL_WORKER]
            social_worker = min(workers, key=lambda u: (caseloads[u], u))
            caseloads[social_worker] += 1
            family.involvements.append((social_worker, family.opened_on, family.closed_on))
            roles: set[Role] = set()
            while len(roles) < self._weighted(SPECIALIST_COUNT_WEIGHTS):
                roles.add(self.rng.choices(SPECIALISTS, weights=SPECIALIST_WEIGHTS)[0])
            for role in sorted(roles):
                person = self.rng.choice(staff[role])
                joined = family.opened_on + dt.timedelta(days=self.rng.randint(0, 45))
                start = min(joined, max(family.opened_on, self.today))
                end = family.closed_on
                if self.rng.random() < 0.15:
                    early = start + dt.timedelta(days=self.rng.randint(60, 240))
                    end = early if end is None or early < end else end
                if end is not None and end <= start:
                    continue
                family.involvements.append((person, start, end))

    # --- ratings and actions ------------------------------------------------------------------------------------

    def ratings_and_actions(self, open_share: float = 0.6, closed_share: float = 0.94) -> None:
        by_team: dict[int, list[_Family]] = defaultdict(list)
        for family in self.families:
            by_team[family.team_index].append(family)
        for team_index, meetings in enumerate(self.meetings):
            for meeting_id, held_on in meetings:
                is_open = meeting_id == meetings[-1][0]
                risk_month = month_start(min(held_on, self.today))
                for family in by_team[team_index]:
                    if family.opened_on > held_on or (family.closed_on is not None and family.closed_on < held_on):
                        continue
                    involved = [
                        p
                        for p, start, end in family.involvements
                        if start <= held_on and (end is None or end > held_on)
                    ]
                    worst = self._rate_family(
                        family, meeting_id, held_on, risk_month, involved, is_open, open_share, closed_share
                    )
                    if not is_open and worst is not None:
                        self._maybe_action(family, meeting_id, held_on, involved, worst)
                    self._maybe_updates(family, meeting_id, held_on, involved, is_open)
                    if not is_open and self._maybe_discussed(family, meeting_id, held_on, team_index):
                        self._maybe_decision(family, meeting_id, held_on, team_index, worst)

    def _deceived_specialist(self, family: _Family) -> int | None:
        """The one adult specialist this family's parents tell what they want to hear, for a few families of concern.

        Drawn from a generator of its own, keyed by the seed and the family, so choosing these families takes no
        draw from the service's generator.
        """
        if family.id not in self.deceived:
            pick = random.Random(f"{self.random_seed}:disguised-compliance:{family.id}")
            specialists = sorted({p for p, _, _ in family.involvements if self.role_of[p] in ADULT_SPECIALISTS})
            worried = max((r for child in family.children for r in child.risk_by_month.values()), default=0.0) >= 2.0
            chosen = specialists and worried and pick.random() < DISGUISED_COMPLIANCE_SHARE
            self.deceived[family.id] = pick.choice(specialists) if chosen else None
        return self.deceived[family.id]

    def _rate_family(
        self,
        family: _Family,
        meeting_id: int,
        held_on: dt.date,
        risk_month: dt.date,
        involved: list[int],
        is_open: bool,
        open_share: float,
        closed_share: float,
    ) -> RAG | None:
        worst: RAG | None = None
        share = open_share if is_open else closed_share
        deceived = self._deceived_specialist(family)
        for child in family.children:
            if _status_on(child, held_on) in (None, LegalStatus.CLOSED):
                continue
            risk = child.risk_by_month.get(risk_month, child.risk)
            for practitioner in sorted(set(involved)):
                if self.rng.random() >= share:
                    continue  # not rated: a missing rating the chair will see
                seen = risk + self.leaning[practitioner] + self.rng.gauss(0, 0.3)
                if self.rng.random() < 0.02:
                    seen = 0.0 if seen >= 1.5 else 3.0  # a sharp disagreement: red where others see green
                rag = RAG.RED if seen >= 2.4 else RAG.AMBER if seen >= 1.2 else RAG.GREEN
                if practitioner == deceived:
                    rag = RAG.GREEN  # disguised compliance: this professional sees only the good face
                worst = rag if worst is None or rag.level > worst.level else worst
                written = at(
                    held_on - dt.timedelta(days=self.rng.randint(0, 6)),
                    self.rng.randint(8, 17),
                    self.rng.randint(0, 59),
                )
                if is_open:
                    written = min(written, at(self.today, 8))
                self.rows.add(
                    "rating",
                    {
                        "meeting_id": meeting_id,
                        "child_id": child.id,
                        "practitioner_id": practitioner,
                        "rag": rag,
                        "rationale": self.rng.choice(RATIONALES[rag]) if self.rng.random() < 0.3 else None,
                        "created_at": written,
                        "updated_at": written,
                        "version": 1,
                    },
                )
        return worst

    def _maybe_action(
        self, family: _Family, meeting_id: int, held_on: dt.date, involved: list[int], worst: RAG
    ) -> None:
        chance = {RAG.RED: 0.35, RAG.AMBER: 0.15, RAG.GREEN: 0.03}[worst]
        if not involved or self.rng.random() >= chance:
            return
        due_on = held_on + dt.timedelta(days=self.rng.randint(14, 42))
        completed_on = None
        if due_on <= self.today and self.rng.random() < 0.8:
            completed_on = min(
                self.today, held_on + dt.timedelta(days=self.rng.randint(3, (due_on - held_on).days + 10))
            )
        self.rows.add(
            "action",
            {
                "family_id": family.id,
                "meeting_id": meeting_id,
                "text": self.rng.choice(ACTIONS),
                "owner_id": self.rng.choice(involved),
                "due_on": due_on,
                "completed_on": completed_on,
                "created_at": at(held_on, 11, 30),
            },
        )

    def _maybe_updates(
        self, family: _Family, meeting_id: int, held_on: dt.date, involved: list[int], is_open: bool
    ) -> None:
        """Some professionals write an update for supervision (fewer so far at the open meeting). The kind of work
        is stored by its label here and given its id when the rows are written (seed/load.py).

        Drawn from a generator of its own, like the record of discussion, so no other row changes."""
        pick = random.Random(f"{self.random_seed}:update:{meeting_id}:{family.id}")
        for practitioner in sorted(set(involved)):
            if pick.random() >= (UPDATE_SHARE_OPEN if is_open else UPDATE_SHARE):
                continue
            kind = pick.choice(sorted(UPDATES))
            written = at(held_on - dt.timedelta(days=pick.randint(0, 6)), pick.randint(8, 17), pick.randint(0, 59))
            if is_open:
                written = min(written, at(self.today, 8))
            self.rows.add(
                "supervision_update",
                {
                    "meeting_id": meeting_id,
                    "family_id": family.id,
                    "author_id": practitioner,
                    "role": self.role_of[practitioner],
                    "work_kind": kind,
                    "text": pick.choice(UPDATES[kind]),
                    "created_at": written,
                    "updated_at": written,
                    "version": 1,
                },
            )

    def _maybe_decision(
        self, family: _Family, meeting_id: int, held_on: dt.date, team_index: int, worst: RAG | None
    ) -> None:
        """Most families discussed at a past meeting have the chair's decision, its outcome following the worst
        rating (stored by label, given its id when written), reviewed four weeks on."""
        pick = random.Random(f"{self.random_seed}:decision:{meeting_id}:{family.id}")
        if pick.random() >= DECISION_SHARE:
            return
        if worst is RAG.RED:
            outcome = pick.choice(["Step up: consider a strategy discussion", "Step up: legal planning meeting"])
        elif worst is RAG.GREEN and pick.random() < 0.4:
            outcome = "Step down"
        else:
            outcome = "Continue the plan"
        self.rows.add(
            "family_decision",
            {
                "meeting_id": meeting_id,
                "family_id": family.id,
                "chair_id": self.manager_of_team[team_index],
                "text": pick.choice(DECISIONS[outcome]),
                "outcome": outcome,
                "next_review_on": held_on + dt.timedelta(days=28),
                "created_at": at(held_on, 12),
                "updated_at": at(held_on, 12),
                "version": 1,
            },
        )

    def _maybe_discussed(self, family: _Family, meeting_id: int, held_on: dt.date, team_index: int) -> bool:
        """Most families are discussed at a past meeting, for a few minutes each; a few are not reached.

        Drawn from a generator of its own (keyed by the seed, meeting and family), so adding the meetings' record
        of discussion changed none of the other rows a seed makes."""
        pick = random.Random(f"{self.random_seed}:discussed:{meeting_id}:{family.id}")
        discussed = pick.random() < DISCUSSED_SHARE
        self.rows.add(  # a family not reached has its row too, as closing a meeting leaves it
            "family_discussion",
            {
                "meeting_id": meeting_id,
                "family_id": family.id,
                "seconds_spent": pick.randint(90, 9 * 60) if discussed else 0,
                "discussed_at": at(held_on, pick.randint(9, 12), pick.randint(0, 59)) if discussed else None,
                "marked_by_id": self.manager_of_team[team_index] if discussed else None,
            },
        )
        return discussed

    # --- rows ---------------------------------------------------------------------------------------------------

    def _surnames(self) -> str:
        """One invented surname, or two for one family in five (parents with different names): "Jones / Ahmed"."""
        count = 2 if self.names_rng.random() < 0.2 else 1
        names = {self.names_rng.choice(SURNAME_STARTS) + self.names_rng.choice(SURNAME_ENDS) for _ in range(count)}
        return family_name_from_surnames(names) or ""

    def family_rows(self) -> None:
        """Families, children, plans and involvement as rows; ids and references follow the order families opened."""
        self.families.sort(key=lambda f: (f.opened_on, f.team_index, f.id))
        for family in self.families:
            family.id = self.rows.add(
                "family",
                {
                    "team_id": self.team_ids[family.team_index],
                    "case_reference": "",
                    "social_worker_id": family.involvements[0][0],
                    "opened_on": family.opened_on,
                    "closed_on": family.closed_on,
                    "display_name": self._surnames(),
                },
            )
            self.rows.tables["family"][-1]["case_reference"] = f"F-{100000 + family.id}"
            for child in family.children:
                age_days = self.rng.randint(60, 16 * 365)
                child.id = self.rows.add(
                    "child",
                    {
                        "family_id": family.id,
                        "case_reference": "",
                        "first_name": self.fake.first_name(),
                        "date_of_birth": family.opened_on - dt.timedelta(days=age_days),
                    },
                )
                self.rows.tables["child"][-1]["case_reference"] = f"C-{200000 + child.id}"
                for (status, started_on), following in zip(child.statuses, [*child.statuses[1:], None], strict=True):
                    self.rows.add(
                        "legal_status",
                        {
                            "child_id": child.id,
                            "status": status,
                            "started_on": started_on,
                            "ended_on": following[1] if following else None,
                        },
                    )
            for practitioner, started_on, ended_on in family.involvements:
                self.rows.add(
                    "involvement",
                    {
                        "family_id": family.id,
                        "practitioner_id": practitioner,
                        "started_on": started_on,
                        "ended_on": ended_on,
                    },
                )

    def run(self) -> SeedRows:
        self.people()
        self.meeting_dates()
        self.caseload()
        self.involvement()
        self.family_rows()
        self.ratings_and_actions()
        return self.rows


def _status_on(child: _Child, day: dt.date) -> LegalStatus | None:
    current = None
    for status, started_on in child.statuses:
        if started_on > day:
            break
        current = status
    return current
