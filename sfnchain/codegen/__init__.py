"""Pure functions from IR to output formats (ASL JSON)."""
