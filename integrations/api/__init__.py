"""REST API v1 for HR and payroll systems (DESIGN.md §3: integrations).

One APIView per operation (``views/``), input and output serializers next to
it, the tenant and the credentials resolved once by ``middleware``.
"""
