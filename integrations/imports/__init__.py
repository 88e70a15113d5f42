"""Employee import from an HR or payroll export (CSV or XLSX)."""
