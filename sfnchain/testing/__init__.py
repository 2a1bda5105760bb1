"""End-to-end tests of workflows without AWS (public API assembled below)."""
