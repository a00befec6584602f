"""Load the caseload straight from the council's case system: the Standard Safeguarding Dataset (SSD).

The SSD (maintained by Data to Insight) is one set of SQL extracts that gives the same tables from Mosaic,
Liquidlogic, Eclipse, Azeus and CareDirector. This package reads those tables as they are, from a folder of CSV
files, a .zip of them or a database (`extract`), applies the council's choices kept in a small mapping file
(`mapping`: which SSD teams are Family Safeguarding teams, which role ids mean which of our roles, each
professional's email), builds families, children, legal status histories and involvements in pure Python
(`building`), and writes them in one all-or-nothing, audited transaction (`service`).
"""

from db.imports.ssd.extract import Extract, read_database, read_folder, read_source, read_zip
from db.imports.ssd.mapping import Mapping, draft_mapping, load_mapping
from db.imports.ssd.problems import ExtractRefused, SsdProblem
from db.imports.ssd.service import SsdSummary, import_ssd

__all__ = [
    "Extract",
    "ExtractRefused",
    "Mapping",
    "SsdProblem",
    "SsdSummary",
    "draft_mapping",
    "import_ssd",
    "load_mapping",
    "read_database",
    "read_folder",
    "read_source",
    "read_zip",
]
