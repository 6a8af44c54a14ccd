"""Database layer: settings, table definitions, engine and the project-local cluster."""
