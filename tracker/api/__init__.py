"""The JSON API at /api/v1: the same permissions, versions and validation as the web UI."""
