"""What leaves the database as a file: CSV and spreadsheet exports, the printable meeting record."""
