"""Reference data shipped with the registry and the demo data set built from it."""
