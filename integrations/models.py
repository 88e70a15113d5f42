"""Models of the integrations app arrive with their own issue (see DESIGN.md §3)."""
