"""Load the caseload straight from the council's case system: the Standard Safeguarding Dataset (SSD).

The SSD (maintained by Data to Insight) is one set of SQL extracts that gives the same tables from Mosaic,
Liquidlogic, Eclipse, Azeus and CareDirector. This package reads those tables as they are, from a folder of CSV
files, a .zip of them or a database (`extract`), applies the council's choices kept in a small mapping file
(`mapping`: which SSD teams are Family Safeguarding teams, which role ids mean which of our roles, each
professional's email), and reads families, children, legal status histories and involvements into the import's
plan in pure Python (`building`); `service` hands the plan to the one writer of every import (db/imports/writer.py).
"""

from db.imports.problems import ImportRefused
from db.imports.ssd.extract import Extract, read_database, read_folder, read_source, read_zip
from db.imports.ssd.mapping import Mapping, draft_mapping, load_mapping
from db.imports.ssd.service import import_ssd

ExtractRefused = ImportRefused
"""The one refusal of every import, under the name the command line catches for an extract."""

__all__ = [
    "Extract",
    "ExtractRefused",
    "Mapping",
    "draft_mapping",
    "import_ssd",
    "load_mapping",
    "read_database",
    "read_folder",
    "read_source",
    "read_zip",
]
