"""Models of the documents app arrive with their own issue (see DESIGN.md §3)."""
