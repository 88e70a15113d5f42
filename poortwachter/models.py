"""Models of the poortwachter app arrive with their own issue (see DESIGN.md §3)."""
