"""The SSD tables and columns the import reads, named exactly as in the SSD specification.

Everything else in an extract (other tables, other columns) is ignored. Four tables are needed to know who the
families, children and professionals are; the episode tables are optional (a council that does not extract one
simply has no periods of that kind), and a column marked optional may be left out of its table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TableSpec:
    name: str
    id_column: str | None
    """The row's own id, used to name the row in problems (its CSV line number when the column is absent)."""
    columns: tuple[str, ...]
    """Columns that must be in the table."""
    optional: tuple[str, ...] = ()
    """Columns read when present."""
    required: bool = True
    """Whether the extract must hold the table at all."""
    about: str = ""
    """What the import takes from the table, in the data team's words (docs/ssd-import.md's table shows it)."""

    @property
    def all_columns(self) -> tuple[str, ...]:
        return self.columns + self.optional


TABLES: dict[str, TableSpec] = {
    spec.name: spec
    for spec in (
        TableSpec(
            "ssd_person",
            "pers_person_id",
            ("pers_person_id", "pers_forename", "pers_dob"),
            ("pers_surname", "pers_expected_dob", "pers_death_date"),
            about="each person's first name and date of birth (an unborn child's expected date of birth stands in); "
            "the members' surnames make the family's name",
        ),
        TableSpec(
            "ssd_family",
            "fami_table_id",
            ("fami_family_id", "fami_person_id"),
            ("fami_table_id",),
            about="who belongs to which family: the SSD family id is the family's case reference",
        ),
        TableSpec(
            "ssd_department",
            "dept_team_id",
            ("dept_team_id", "dept_team_name"),
            ("dept_team_parent_id", "dept_team_parent_name"),
            required=False,
            about="team and office names, for the draft mapping",
        ),
        TableSpec(
            "ssd_professionals",
            "prof_professional_id",
            ("prof_professional_id", "prof_professional_name"),
            ("prof_staff_id", "prof_professional_job_title", "prof_professional_department"),
            about="each professional's name, and the job title that stands in for a missing role id",
        ),
        TableSpec(
            "ssd_involvements",
            "invo_involvements_id",
            (
                "invo_professional_id",
                "invo_professional_team",
                "invo_person_id",
                "invo_involvement_start_date",
                "invo_involvement_end_date",
            ),
            ("invo_involvements_id", "invo_professional_role_id"),
            about="who works with whom, in which team and role, from when to when",
        ),
        TableSpec(
            "ssd_cin_episodes",
            "cine_referral_id",
            ("cine_person_id", "cine_referral_date", "cine_close_date"),
            ("cine_referral_id", "cine_referral_team"),
            required=False,
            about="child in need episodes",
        ),
        TableSpec(
            "ssd_cp_plans",
            "cppl_cp_plan_id",
            ("cppl_person_id", "cppl_cp_plan_start_date", "cppl_cp_plan_end_date"),
            ("cppl_cp_plan_id",),
            required=False,
            about="child protection plans",
        ),
        TableSpec(
            "ssd_pre_proceedings",
            "prep_table_id",
            ("prep_person_id", "prep_pre_pro_decision_date"),
            (
                "prep_table_id",
                "prep_plo_family_id",
                "prep_initial_pre_pro_meeting_date",
                "prep_pre_pro_outcome",
                "prep_care_pro_letter_date",
                "prep_court_reference",
            ),
            required=False,
            about="when pre-proceedings were decided (the initial meeting's date when that cell is empty) and when the "
            "care proceedings letter was sent",
        ),
        TableSpec(
            "ssd_cla_episodes",
            "clae_cla_episode_id",
            ("clae_person_id", "clae_cla_episode_start_date", "clae_cla_episode_ceased_date"),
            ("clae_cla_episode_id",),
            required=False,
            about="looked after episodes",
        ),
        TableSpec(
            "ssd_legal_status",
            "lega_legal_status_id",
            ("lega_person_id", "lega_legal_status", "lega_legal_status_start_date", "lega_legal_status_end_date"),
            ("lega_legal_status_id",),
            required=False,
            about="legal statuses, meaning what the mapping's `[legal_status]` codes say (looked after unless told "
            "otherwise)",
        ),
    )
}
