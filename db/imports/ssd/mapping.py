"""The council's choices, kept by the administrator in a small TOML file: what the SSD cannot say by itself.

- `[teams]`: which SSD teams (`dept_team_id`) are Family Safeguarding teams, with our team and office names.
  Involvements with any other team are ignored (counted in the preview).
- `[roles]` and `[job_titles]`: which `invo_professional_role_id` (or, failing that, which
  `prof_professional_job_title`) means which of our roles; `"ignore"` (or an empty string) leaves those
  involvements out.
- `[professionals]`: each professional's email (`prof_professional_id = "email"`), which is how they are matched
  to their account (the SSD holds no emails).
- `[legal_status]`: what each `lega_legal_status` code means (`codes`), and `other_codes` for the rest.

`draft_mapping` starts a file from an extract for the administrator to edit: every team commented out (choosing
the Family Safeguarding teams is a decision, not a default), every role id with a guess from its job titles.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from db.imports.plan import PlannedTeam
from db.imports.problems import FileRefused
from db.imports.ssd.extract import Extract
from db.plain_text import printable, text_problem
from risk.vocabulary import LegalStatus, Role

PRACTICE_ROLES = tuple(r for r in Role if r.rates_children)
IGNORE = "ignore"
NAME_MAX = 120
"""Team and office names, as their columns allow."""
EMAIL_MAX = 254
_GUESSES = (
    ("team manager", Role.TEAM_MANAGER),
    ("senior practitioner", Role.SENIOR_PRACTITIONER),
    ("advanced practitioner", Role.SENIOR_PRACTITIONER),
    ("domestic abuse officer", Role.DOMESTIC_ABUSE_OFFICER),
    ("perpetrator", Role.DOMESTIC_ABUSE_OFFICER),
    ("domestic abuse", Role.DOMESTIC_ABUSE_PRACTITIONER),
    ("substance", Role.SUBSTANCE_MISUSE_WORKER),
    ("recovery", Role.SUBSTANCE_MISUSE_WORKER),
    ("mental health", Role.MENTAL_HEALTH_PRACTITIONER),
    ("psycholog", Role.PSYCHOLOGIST),
    ("family support", Role.FAMILY_SUPPORT_WORKER),
    ("education", Role.EDUCATION_ATTAINMENT_OFFICER),
    ("probation", Role.PROBATION_OFFICER),
    ("social worker", Role.SOCIAL_WORKER),
)


@dataclass
class Mapping:
    teams: dict[str, PlannedTeam] = field(default_factory=dict)
    roles: dict[str, Role | None] = field(default_factory=dict)
    job_titles: dict[str, Role | None] = field(default_factory=dict)
    """Keys in lower case with single spaces."""
    professionals: dict[str, str] = field(default_factory=dict)
    status_codes: dict[str, LegalStatus] = field(default_factory=dict)
    """Keys in upper case."""
    other_codes: LegalStatus = LegalStatus.CLA

    def role_for(self, role_id: str | None, job_title: str | None) -> tuple[bool, Role | None]:
        """(known, role): known is False when neither the role id nor the job title is in the mapping."""
        if role_id is not None and role_id in self.roles:
            return True, self.roles[role_id]
        title = " ".join((job_title or "").lower().split())
        if title and title in self.job_titles:
            return True, self.job_titles[title]
        return False, None


def _role(value: object, where: str) -> Role | None:
    text = str(value).strip().lower().replace(" ", "_")
    if text in ("", IGNORE):
        return None
    try:
        role = Role(text)
    except ValueError:
        role = None
    if role is None or not role.rates_children:
        raise FileRefused(
            f"The mapping's {where} is {value!r}, which is not one of our practice roles: use one of "
            + ", ".join(r.value for r in PRACTICE_ROLES)
            + f", or {IGNORE!r}."
        )
    return role


def _table(data: dict[str, object], key: str) -> dict[str, object]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise FileRefused(f"The mapping's [{key}] must be a table of 'key = value' lines.")
    return value


def load_mapping(text: str | bytes, name: str = "The mapping") -> Mapping:
    """Read a mapping file. Refuses it, saying where, when a value is not one the import understands."""
    if isinstance(text, bytes):
        text = text.decode("utf-8-sig", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileRefused(f"{name} is not a TOML file that can be read ({exc}).") from exc
    known = {"teams", "roles", "job_titles", "professionals", "legal_status"}
    if unknown := sorted(set(data) - known):
        raise FileRefused(f"{name} has sections the import does not know: {', '.join(unknown)}.")
    mapping = Mapping()
    for team_id, choice in _table(data, "teams").items():
        if (
            not isinstance(choice, dict)
            or not str(choice.get("team", "")).strip()
            or not str(choice.get("office", "")).strip()
        ):
            raise FileRefused(
                f'The mapping\'s [teams] "{team_id}" must say both names: "{team_id}" = '
                '{ team = "Oak team", office = "North office" }.'
            )
        for key in ("team", "office"):
            if problem := text_problem(" ".join(str(choice[key]).split()), limit=NAME_MAX):
                raise FileRefused(f'The mapping\'s [teams] "{printable(str(team_id))}" {key} name {problem}.')
        mapping.teams[str(team_id)] = PlannedTeam(
            " ".join(str(choice["team"]).split()), " ".join(str(choice["office"]).split())
        )
    mapping.roles = {str(k): _role(v, f'[roles] "{k}"') for k, v in _table(data, "roles").items()}
    mapping.job_titles = {
        " ".join(str(k).lower().split()): _role(v, f'[job_titles] "{k}"') for k, v in _table(data, "job_titles").items()
    }
    for prof_id, email in _table(data, "professionals").items():
        email = str(email).strip()
        if email and ("@" not in email or " " in email or text_problem(email, limit=EMAIL_MAX)):
            raise FileRefused(
                f'The mapping\'s [professionals] "{printable(str(prof_id))}" is {email!r}, which is not an email.'
            )
        if email:
            mapping.professionals[str(prof_id)] = email.lower()
    legal = _table(data, "legal_status")
    for code, status in _table(legal, "codes").items():
        mapping.status_codes[str(code).strip().upper()] = _status(status, f'[legal_status.codes] "{code}"')
    if "other_codes" in legal:
        mapping.other_codes = _status(legal["other_codes"], "[legal_status] other_codes")
    return mapping


def _status(value: object, where: str) -> LegalStatus:
    try:
        status = LegalStatus(str(value).strip().lower())
    except ValueError:
        status = None
    if status is None or status is LegalStatus.CLOSED:
        raise FileRefused(
            f"The mapping's {where} is {value!r}: use one of "
            + ", ".join(s.value for s in LegalStatus if s is not LegalStatus.CLOSED)
            + "."
        )
    return status


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string


def _guess(titles: Counter[str]) -> Role | None:
    for title, _ in titles.most_common():
        lowered = title.lower()
        for words, role in _GUESSES:
            if words in lowered:
                return role
    return None


def draft_mapping(extract: Extract, existing: Mapping | None = None) -> str:
    """A mapping file for this extract. Choices already in `existing` are kept; what the extract adds is listed
    for the administrator to decide (teams commented out, role ids guessed from their job titles and marked)."""
    existing = existing or Mapping()
    titles = {pid: cells.get("prof_professional_job_title") or "" for pid, cells in extract.rows("ssd_professionals")}
    names = {pid: cells.get("prof_professional_name") or "" for pid, cells in extract.rows("ssd_professionals")}
    used_teams: Counter[str] = Counter()
    role_titles: dict[str, Counter[str]] = defaultdict(Counter)
    team_professionals: dict[str, set[str]] = defaultdict(set)
    for _, cells in extract.rows("ssd_involvements"):
        team, prof = cells.get("invo_professional_team"), cells.get("invo_professional_id")
        if team:
            used_teams[team] += 1
            if prof:
                team_professionals[team].add(prof)
        if role_id := cells.get("invo_professional_role_id"):
            role_titles[role_id][titles.get(prof or "", "")] += 1
    departments = {tid: cells for tid, cells in extract.rows("ssd_department")}

    lines = [
        "# fsdash mapping for imports from the Standard Safeguarding Dataset (SSD). See fsdash's",
        "# docs/ssd-import.md, 'The mapping file'. Lines starting with # are comments.",
        "",
        "[teams]",
        '# dept_team_id = { team = "our team name", office = "our office name" }',
        "# Remove the # in front of each Family Safeguarding team; leave every other team commented out.",
    ]
    for team_id, choice in sorted(existing.teams.items()):
        lines.append(f"{_quoted(team_id)} = {{ team = {_quoted(choice.name)}, office = {_quoted(choice.office)} }}")
    for team_id in sorted(set(used_teams) | set(departments)):
        if team_id in existing.teams:
            continue
        cells = departments.get(team_id, {})
        name = cells.get("dept_team_name") or f"Team {team_id}"
        office = cells.get("dept_team_parent_name") or "Office to name"
        lines.append(
            f"# {_quoted(team_id)} = {{ team = {_quoted(name)}, office = {_quoted(office)} }}"
            f"  # {used_teams[team_id]:,} involvements"
        )
    lines += [
        "",
        "[roles]",
        "# invo_professional_role_id = one of: " + ", ".join(r.value for r in PRACTICE_ROLES) + f", or {IGNORE!r}",
    ]
    for role_id, role in sorted(existing.roles.items()):
        lines.append(f"{_quoted(role_id)} = {_quoted(role.value if role else IGNORE)}")
    for role_id in sorted(set(role_titles) - set(existing.roles)):
        guess = _guess(role_titles[role_id])
        seen = printable(", ".join(t for t, _ in role_titles[role_id].most_common(3) if t)) or "no job title"
        lines.append(f"{_quoted(role_id)} = {_quoted(guess.value if guess else IGNORE)}  # CHECK: guessed from {seen}")
    lines += [
        "",
        "[job_titles]",
        '# used when an involvement has no role id, or one not listed above: "job title" = "role"',
    ]
    for title, role in sorted(existing.job_titles.items()):
        lines.append(f"{_quoted(title)} = {_quoted(role.value if role else IGNORE)}")
    lines += [
        "",
        "[professionals]",
        '# prof_professional_id = "their email": how each professional is matched to their account. Listed here:',
        "# the professionals of the teams chosen above (run --write-mapping again after choosing teams).",
    ]
    for prof_id, email in sorted(existing.professionals.items()):
        lines.append(f"{_quoted(prof_id)} = {_quoted(email)}")
    wanted = sorted({p for t in existing.teams for p in team_professionals.get(t, ())} - set(existing.professionals))
    for prof_id in wanted:  # a TOML comment may hold no control character: the name is made printable
        lines.append(f'{_quoted(prof_id)} = ""  # {printable(names.get(prof_id, ""))}'.rstrip())
    lines += [
        "",
        "[legal_status]",
        "# what each ssd_legal_status code (lega_legal_status) means; other codes count as other_codes",
        f"other_codes = {_quoted(existing.other_codes.value)}",
        "[legal_status.codes]",
    ]
    for code, status in sorted(existing.status_codes.items()):
        lines.append(f"{_quoted(code)} = {_quoted(status.value)}")
    return "\n".join(lines) + "\n"
