"""Records management an information governance team signs off: backup and restore, subject access, retention.

Every function here is for administrators only (or the command line, which runs as the system with the
database's own credentials), writes its own audit event, and never loses data on bad input: a refusal changes
nothing.
"""
