"""Models of the triage app arrive with their own issue (see DESIGN.md §3)."""
