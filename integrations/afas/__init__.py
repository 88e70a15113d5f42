"""AFAS Profit: employees from a GetConnector, imported like a file.

``client.py`` speaks HTTP only, ``mapping.py`` turns AFAS rows into the rows
of ``integrations.imports``, ``tasks.py`` syncs each connection (only when
``AFAS_ENABLED``). See docs/integrations/import.md.
"""
