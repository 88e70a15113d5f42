"""Models of this sub-package (DESIGN.md §3: integrations)."""
