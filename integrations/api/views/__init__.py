"""One APIView per operation, grouped by resource."""
