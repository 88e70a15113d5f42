"""UWV exports: the 42-week report and the re-integratieverslag package
for the UWV employer portal."""
