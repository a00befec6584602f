"""The SSD's reader: from SSD rows to the import's plan (db/imports/plan.py) of the families, children, legal status
histories and involvements fsdash holds, in pure Python, no database, so every rule below is tested with small
hand-made extracts. The extract holds the case system's whole history (Scope.HISTORY).

The rules (docs/ssd-import.md says the same for the data team):

- A family is an SSD family id (`ssd_family`) that a mapped team works with (an involvement of a mapped team
  with any of its members) and that has at least one child: a member under 18 on the import day, or with an
  open CIN, CP, pre-proceedings or CLA episode; its children are the members who are children by that rule (a
  young parent who was once looked after is not one). A child who turns 18 with nothing open stays as it was.
- Its involvements are the mapped teams' involvements with any of its members (the adult specialists work with
  the parents), one per professional and stretch of time (overlapping stretches merged), under the email the
  mapping gives the professional (those it gives none are left out, counted and listed).
- Its team is the team of its allocated social worker: the current involvement whose role is social worker,
  senior practitioner or team manager (the latest started if several), or, for a closed family, the last one.
- It opened on the earliest start of its children's episodes and its involvements. It is closed when none of
  its children has an open episode and nobody works with it any more, on the last of those end dates.
- A child's legal status on any day is the most restrictive of its episodes running that day (CLA > care
  proceedings > pre-proceedings (PLO) > CP > CIN); a day with none, after an episode ended, is `closed`.
  Pre-proceedings records carry no end date: pre-proceedings run from the decision date until the care
  proceedings letter (care proceedings from then), and either ends at the first later CP plan, CLA episode,
  legal status or pre-proceedings decision, or when the CIN episode it started in closes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Mapping as Lookup
from dataclasses import dataclass

from db.imports.plan import (
    ALLOCATABLE,
    WITHOUT_ACCOUNT,
    InputKind,
    Period,
    Place,
    Plan,
    PlannedChild,
    PlannedFamily,
    PlannedProfessional,
    PlannedTeam,
    Scope,
    Stretch,
)
from db.imports.problems import Problem
from db.imports.reading import FORMULA_STARTS
from db.imports.ssd.extract import Cells, Extract
from db.imports.ssd.mapping import Mapping
from db.plain_text import text_problem
from risk.presentation import FAMILY_NAME_MAX, family_name_from_surnames
from risk.vocabulary import LegalStatus, Role

SSD_EXTRACT = InputKind("ssd_extract", "the extract", "ssd import", "not in the SSD extract")
ADULT_AGE = 18
REFERENCE_MAX = 40
FIRST_NAME_MAX = 80
DISPLAY_NAME_MAX = 120
PRECEDENCE = (LegalStatus.CIN, LegalStatus.CP, LegalStatus.PLO, LegalStatus.CARE_PROCEEDINGS, LegalStatus.CLA)
"""Least to most restrictive: on a day two episodes overlap, the later in this list wins."""
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _TIME + "$")
_UK = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME + "$")

_PersonRow = tuple[str, dt.date | None, str, dt.date | None, str | None]


def _problem(table: str, row_id: str, column: str | None, message: str) -> Problem:
    """A problem named the way the council's data team finds it: table, the row's own id, column."""
    return Problem(row_id, column, message, table)


def parse_date(text: str) -> dt.date:
    """ISO dates, SQL Server datetimes (2024-03-01 00:00:00.000) or dd/mm/yyyy. ValueError with the words to show."""
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
    elif match := _UK.match(text):
        day, month, year = (int(g) for g in match.groups())
    else:
        raise ValueError(f"{text!r} is not a date; dates are yyyy-mm-dd, yyyy-mm-dd hh:mm:ss or dd/mm/yyyy")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValueError(f"{text} is not a date") from None


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class _Checker:
    """Collects the problems of rows, keyed by the person they are about, so that only rows that matter are
    reported: the involvements of the mapped teams' families, and the person and episode rows of their children
    (or of a member whose date of birth cannot be read, who might be one). The rest of the council's data is not
    this import's to judge."""

    def __init__(self, today: dt.date) -> None:
        self.today = today
        self.by_person: dict[str, list[Problem]] = defaultdict(list)
        self.unknown_age: set[str] = set()
        """People whose date of birth is there but cannot be read: whether they are children cannot be told."""
        self.outside = 0
        """Rows left out because they are about nobody in a family a mapped team works with."""

    def date(
        self, person: str, table: str, row_id: str, cells: Cells, column: str, *, required: bool, past: bool = True
    ) -> tuple[bool, dt.date | None]:
        """(ok, date). A missing optional date is ok and None."""
        text = cells.get(column)
        if text is None:
            if required:
                self.by_person[person].append(_problem(table, row_id, column, "is empty"))
            return not required, None
        try:
            day = parse_date(text)
        except ValueError as exc:
            self.by_person[person].append(_problem(table, row_id, column, str(exc)))
            return False, None
        if past and day > self.today:
            self.by_person[person].append(_problem(table, row_id, column, f"{day:%d/%m/%Y} is in the future"))
            return False, None
        return True, day

    def ends_after(
        self, person: str, table: str, row_id: str, column: str, start: dt.date, end: dt.date | None, what: str
    ) -> bool:
        if end is not None and end < start:
            self.by_person[person].append(
                _problem(table, row_id, column, f"{end:%d/%m/%Y} is before the {what} started ({start:%d/%m/%Y})")
            )
            return False
        return True


@dataclass
class _Episode:
    status: LegalStatus
    start: dt.date
    end: dt.date | None
    open_ended: bool = False
    """A pre-proceedings or care proceedings stretch whose end the rules work out."""


@dataclass
class _Involvement:
    professional: str
    role: Role
    team: PlannedTeam
    start: dt.date
    end: dt.date | None


def build_plan(extract: Extract, mapping: Mapping, today: dt.date) -> Plan:
    """Everything the extract says about the mapped teams' families, with every problem found in it."""
    teams = tuple(sorted(set(mapping.teams.values()), key=lambda t: (t.office, t.name)))
    ignored: Counter[str] = Counter()
    problems: list[Problem] = []
    check = _Checker(today)
    professionals = {pid: cells for pid, cells in extract.rows("ssd_professionals")}

    members: dict[str, dict[str, str]] = defaultdict(dict)  # family id -> person id -> ssd_family row id
    for row_id, cells in extract.rows("ssd_family"):
        family, person = cells.get("fami_family_id"), cells.get("fami_person_id")
        if family and person:
            members[family].setdefault(person, row_id)
        else:
            ignored["ssd_family rows without a family id or person id"] += 1
    families_of: dict[str, list[str]] = defaultdict(list)
    for family, in_family in members.items():
        for person in in_family:
            families_of[person].append(family)

    involvements: dict[str, list[_Involvement]] = defaultdict(list)  # person id -> mapped involvements
    held_people: set[str] = set()
    check_involvement = _Checker(today)  # an involvement row matters whoever it is with: always reported
    for row_id, cells in extract.rows("ssd_involvements"):
        person, team_id = cells.get("invo_person_id"), cells.get("invo_professional_team")
        team = mapping.teams.get(team_id or "")
        if team is None or not person:
            ignored["involvements with teams not in the mapping"] += 1
            continue
        if person not in families_of:
            ignored["involvements with people in no SSD family"] += 1
            continue
        held_people.add(person)
        professional = cells.get("invo_professional_id") or ""
        title = professionals.get(professional, {}).get("prof_professional_job_title")
        known, role = mapping.role_for(cells.get("invo_professional_role_id"), title)
        if not known:
            ignored["involvements with a role id or job title not in the mapping"] += 1
            continue
        if role is None:
            ignored["involvements with roles the mapping ignores"] += 1
            continue
        if professional not in professionals:
            check_involvement.by_person[person].append(
                _problem(
                    "ssd_involvements",
                    row_id,
                    "invo_professional_id",
                    f"professional {professional or '(none)'} is not in ssd_professionals",
                )
            )
            continue
        ok_start, start = check_involvement.date(
            person, "ssd_involvements", row_id, cells, "invo_involvement_start_date", required=True
        )
        ok_end, end = check_involvement.date(
            person, "ssd_involvements", row_id, cells, "invo_involvement_end_date", required=False, past=False
        )
        if not (ok_start and ok_end and start):
            continue
        end_column = "invo_involvement_end_date"
        if not check_involvement.ends_after(person, "ssd_involvements", row_id, end_column, start, end, "involvement"):
            continue
        if end == start:
            end = start + dt.timedelta(days=1)  # a same-day involvement lasts that day
        involvements[person].append(_Involvement(professional, role, team, start, end))

    held_families = {f for person in held_people for f in families_of.get(person, ())}
    ignored["SSD families no mapped team works with"] += len(members.keys() - held_families)
    relevant = {person for f in held_families for person in members[f]}

    people = _people(extract, relevant, check)
    episodes = _episodes(extract, mapping, relevant, check)
    outside = "rows of ssd_person and the episode tables about people outside the families mapped teams work with"
    ignored[outside] = check.outside

    children_of: dict[str, list[str]] = {}
    for family in sorted(held_families):
        kids = []
        qualifies = False
        for person, fami_row in members[family].items():
            open_episode = any(e.end is None or e.end > today for e in episodes.get(person, ()))
            if person not in people:
                if open_episode:
                    check.by_person[person].append(
                        _problem("ssd_family", fami_row, "fami_person_id", f"person {person} is not in ssd_person")
                    )
                else:
                    ignored["family members not in ssd_person (not children: no open episode)"] += 1
                continue
            born, dead = people[person][1], people[person][3]
            young = born is not None and dead is None and age_on(born, today) < ADULT_AGE
            if young or open_episode:
                kids.append(person)
            qualifies = qualifies or young or open_episode
        if qualifies and kids:
            children_of[family] = kids
        else:
            ignored["SSD families with no child (nobody under 18 or with an open episode)"] += 1

    seen_in: dict[str, str] = {}
    for family, kids in children_of.items():
        for person in kids:
            if person in seen_in:
                check.by_person[person].append(
                    _problem(
                        "ssd_family",
                        members[family][person],
                        "fami_person_id",
                        f"child {person} is in family {seen_in[person]} and family {family}; a child can belong "
                        "to one family only",
                    )
                )
            else:
                seen_in[person] = family

    children = {person for kids in children_of.values() for person in kids} | check.unknown_age
    for person in sorted({person for family in held_families for person in members[family]}):
        problems.extend(check_involvement.by_person.get(person, ()))
        if person in children or person not in people:
            problems.extend(check.by_person.get(person, ()))
    if problems:
        return Plan(Scope.HISTORY, teams=teams, problems=tuple(problems), ignored=ignored)

    families: list[PlannedFamily] = []
    latest: dict[str, _Involvement] = {}
    for family_id, kids in sorted(children_of.items()):
        built = _family(family_id, kids, members[family_id], people, episodes, involvements, today, mapping, ignored)
        if built is None:
            continue
        families.append(built)
        for person in members[family_id]:
            for i in involvements.get(person, ()):
                if i.professional not in latest or i.start > latest[i.professional].start:
                    latest[i.professional] = i
    names = {
        professional: professionals[professional].get("prof_professional_name") or f"Professional {professional}"
        for professional in sorted(latest)
    }
    described: dict[str, PlannedProfessional] = {}
    without_email: list[tuple[str, str]] = []
    for professional, name in names.items():
        email = mapping.professionals.get(professional)
        if email is None:
            without_email.append((professional, name))
        else:
            i = latest[professional]
            described[professional] = PlannedProfessional(professional, name, email, i.role, i.team)
    problems.extend(_text_problems(families, names, people))
    return Plan(
        Scope.HISTORY,
        tuple(families),
        teams,
        professionals=described,
        without_email=tuple(without_email),
        problems=tuple(problems),
        ignored=ignored,
    )


def _text_problems(
    families: list[PlannedFamily], professionals: dict[str, str], people: dict[str, _PersonRow]
) -> list[Problem]:
    """Text that would be stored: present, no longer than its column, free of control characters (the shared
    rules of db/plain_text.py), and nothing a spreadsheet would run as a formula when the caseload is exported."""
    found = []

    def check(where: tuple[str, str, str], text: str, limit: int) -> None:
        if problem := text_problem(text, limit=limit):
            found.append(_problem(*where, problem))
        elif text.startswith(FORMULA_STARTS):
            found.append(_problem(*where, _formula(text)))

    for family in families:
        check(("ssd_family", family.reference, "fami_family_id"), family.reference, REFERENCE_MAX)
        for child in family.children:
            check(("ssd_person", child.reference, "pers_person_id"), child.reference, REFERENCE_MAX)
            if people[child.reference][1] is None:
                found.append(
                    _problem("ssd_person", child.reference, "pers_dob", "is empty (and so is pers_expected_dob)")
                )
            if not child.first_name:
                found.append(_problem("ssd_person", child.reference, "pers_forename", "is empty"))
            else:
                check(("ssd_person", child.reference, "pers_forename"), child.first_name, FIRST_NAME_MAX)
        if family.display_name:
            check(("ssd_family", family.reference, "pers_surname"), family.display_name, FAMILY_NAME_MAX)
    for professional, name in professionals.items():
        check(("ssd_professionals", professional, "prof_professional_name"), name, DISPLAY_NAME_MAX)
    return found


def _formula(text: str) -> str:
    shown = text if len(text) <= 40 else text[:39] + "…"
    return f"{shown!r} starts with {text[0]!r}, which a spreadsheet would run as a formula; remove that character"


def _people(extract: Extract, relevant: set[str], check: _Checker) -> dict[str, _PersonRow]:
    """Person id -> (first name, date of birth (or expected), row id, death date, surname) for the relevant
    people."""
    people: dict[str, _PersonRow] = {}
    for row_id, cells in extract.rows("ssd_person"):
        if row_id not in relevant:
            check.outside += 1
            continue
        ok, born = check.date(row_id, "ssd_person", row_id, cells, "pers_dob", required=False)
        if ok and born is None:
            ok, born = check.date(row_id, "ssd_person", row_id, cells, "pers_expected_dob", required=False, past=False)
        if not ok:
            check.unknown_age.add(row_id)
        _, died = check.date(row_id, "ssd_person", row_id, cells, "pers_death_date", required=False)
        people[row_id] = (cells.get("pers_forename") or "", born, row_id, died, cells.get("pers_surname"))
    return people


def _episodes(extract: Extract, mapping: Mapping, relevant: set[str], check: _Checker) -> dict[str, list[_Episode]]:
    """Per person, every stretch of CIN, CP, PLO, care proceedings and CLA the episode tables give."""
    found: dict[str, list[_Episode]] = defaultdict(list)
    cin_spans: dict[str, list[Stretch]] = defaultdict(list)
    simple = (
        ("ssd_cin_episodes", "cine_person_id", "cine_referral_date", "cine_close_date", LegalStatus.CIN, "CIN episode"),
        ("ssd_cp_plans", "cppl_person_id", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date", LegalStatus.CP, "plan"),
        (
            "ssd_cla_episodes",
            "clae_person_id",
            "clae_cla_episode_start_date",
            "clae_cla_episode_ceased_date",
            LegalStatus.CLA,
            "episode",
        ),
        (
            "ssd_legal_status",
            "lega_person_id",
            "lega_legal_status_start_date",
            "lega_legal_status_end_date",
            None,
            "legal status",
        ),
    )
    for table, person_column, start_column, end_column, status, what in simple:
        for row_id, cells in extract.rows(table):
            person = cells.get(person_column)
            if person not in relevant:
                check.outside += 1
                continue
            ok_start, start = check.date(person, table, row_id, cells, start_column, required=True)
            ok_end, end = check.date(person, table, row_id, cells, end_column, required=False, past=False)
            if not (ok_start and ok_end and start) or not check.ends_after(
                person, table, row_id, end_column, start, end, what
            ):
                continue
            if status is None:
                code = (cells.get("lega_legal_status") or "").upper()
                this = mapping.status_codes.get(code, mapping.other_codes)
            else:
                this = status
            found[person].append(_Episode(this, start, end))
            if this is LegalStatus.CIN:
                cin_spans[person].append((start, end))
    for row_id, cells in extract.rows("ssd_pre_proceedings"):
        person = cells.get("prep_person_id")
        if person not in relevant:
            check.outside += 1
            continue
        table = "ssd_pre_proceedings"
        ok, decided = check.date(person, table, row_id, cells, "prep_pre_pro_decision_date", required=False)
        if ok and decided is None:
            ok, decided = check.date(person, table, row_id, cells, "prep_initial_pre_pro_meeting_date", required=True)
        ok_letter, letter = check.date(person, table, row_id, cells, "prep_care_pro_letter_date", required=False)
        if not (ok and ok_letter and decided):
            continue
        if not check.ends_after(person, table, row_id, "prep_care_pro_letter_date", decided, letter, "pre-proceedings"):
            continue
        if letter is None or letter > decided:
            found[person].append(_Episode(LegalStatus.PLO, decided, letter, open_ended=letter is None))
        if letter is not None:
            found[person].append(_Episode(LegalStatus.CARE_PROCEEDINGS, letter, None, open_ended=True))
    for person, episodes in found.items():
        _end_open_ended(episodes, cin_spans.get(person, []))
    return found


def _end_open_ended(episodes: list[_Episode], cin_spans: list[Stretch]) -> None:
    """Give pre-proceedings and care proceedings their end: the first later CP plan, CLA episode, legal status or
    pre-proceedings decision, or the close of the CIN episode they started in."""
    later_starts = sorted(
        e.start
        for e in episodes
        if e.status in (LegalStatus.CP, LegalStatus.CLA)
        or (e.status is LegalStatus.PLO and e.open_ended)
        or (e.status is LegalStatus.CARE_PROCEEDINGS and not e.open_ended)
    )
    plo_starts = sorted(e.start for e in episodes if e.status is LegalStatus.PLO)
    for episode in episodes:
        if not episode.open_ended:
            continue
        candidates = [s for s in later_starts if s > episode.start]
        candidates += [s for s in plo_starts if s > episode.start]
        for start, end in cin_spans:
            if start <= episode.start and end is not None and end > episode.start:
                candidates.append(end)
        if episode.end is not None:
            candidates.append(episode.end)
        episode.end = min(candidates) if candidates else None


def legal_history(episodes: list[_Episode]) -> list[Period]:
    """The child's periods: on each day the most restrictive episode running; `closed` after the last one ends."""
    spans = [(e.status, e.start, e.end) for e in episodes if e.end is None or e.end > e.start]
    if not spans:
        return []
    points = sorted({s for _, s, _ in spans} | {e for _, _, e in spans if e is not None})
    periods: list[Period] = []
    for day in points:
        running = [s for s, start, end in spans if start <= day and (end is None or end > day)]
        status = max(running, key=PRECEDENCE.index) if running else LegalStatus.CLOSED
        if periods and periods[-1][0] is status:
            continue
        if periods:
            periods[-1] = (periods[-1][0], periods[-1][1], day)
        periods.append((status, day, None))
    return periods


def _merged(stretches: list[Stretch]) -> list[Stretch]:
    """Overlapping or touching stretches of one professional with one family, as one."""
    out: list[Stretch] = []
    for start, end in sorted(stretches, key=lambda s: (s[0], s[1] or dt.date.max)):
        if out and (out[-1][1] is None or start <= out[-1][1]):
            last_end = out[-1][1]
            out[-1] = (out[-1][0], None if last_end is None or end is None else max(last_end, end))
        else:
            out.append((start, end))
    return out


def _running(end: dt.date | None, today: dt.date) -> bool:
    return end is None or end > today


def _family(
    family: str,
    kids: list[str],
    members: dict[str, str],
    people: dict[str, _PersonRow],
    episodes: dict[str, list[_Episode]],
    involvements: dict[str, list[_Involvement]],
    today: dt.date,
    mapping: Mapping,
    ignored: Counter[str],
) -> PlannedFamily | None:
    mine = [i for person in members for i in involvements.get(person, ())]
    if not mine:
        ignored["SSD families whose mapped involvements are all ignored"] += 1
        return None
    allocatable = [i for i in mine if i.role in ALLOCATABLE]
    pool = allocatable or mine
    current = [i for i in pool if _running(i.end, today)]
    lead = (
        max(current, key=lambda i: (i.start, i.professional))
        if current
        else max(pool, key=lambda i: (i.end or dt.date.max, i.start, i.professional))
    )
    children = []
    for person in kids:
        first_name, born, _, _, _ = people[person]
        children.append(
            PlannedChild(
                person,
                first_name,
                born or dt.date.min,
                tuple(legal_history(episodes.get(person, []))),
                family_place=Place(person, "fami_family_id", "ssd_family"),
                status_place=Place(person, "pers_person_id", "ssd_person"),
            )
        )
    starts = [p[1] for c in children for p in c.periods] + [i.start for i in mine]
    open_child = any(c.periods and c.periods[-1][0] is not LegalStatus.CLOSED for c in children)
    closed_on = None
    if not open_child and not any(_running(i.end, today) for i in mine):
        ends = [i.end for i in mine if i.end] + [p[2] for c in children for p in c.periods if p[2]]
        closed_on = max(ends) if ends else None
    return PlannedFamily(
        reference=family,
        team=lead.team,
        opened_on=min(starts),
        closed_on=closed_on,
        social_worker=mapping.professionals.get(lead.professional) if lead.role in ALLOCATABLE else None,
        children=tuple(children),
        involvements=_by_email(mine, mapping.professionals, ignored),
        # every member's surname, the adults' too: the family is known by them all ("Jones / Ahmed")
        display_name=family_name_from_surnames(people[person][4] for person in sorted(members) if person in people),
    )


def _by_email(
    mine: list[_Involvement], emails: Lookup[str, str], ignored: Counter[str]
) -> dict[str, tuple[Stretch, ...]]:
    """Each professional's stretches with the family, merged, under the email the mapping gives them (how they are
    matched to an account); those of professionals it gives none are left out and counted."""
    stretches: dict[str, list[Stretch]] = defaultdict(list)
    for i in mine:
        stretches[i.professional].append((i.start, i.end))
    by_email: dict[str, list[Stretch]] = defaultdict(list)
    for professional, theirs in sorted(stretches.items()):
        merged = _merged(theirs)
        email = emails.get(professional)
        if email is None:
            ignored[WITHOUT_ACCOUNT] += len(merged)
        else:
            by_email[email] += merged
    return {email: tuple(_merged(theirs)) for email, theirs in sorted(by_email.items())}
