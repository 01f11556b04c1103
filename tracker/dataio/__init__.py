"""Moving every record in and out of the database as one JSON file (export-data, import-data)."""
