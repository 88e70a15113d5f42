"""Django REST framework and the OpenAPI schema (drf-spectacular)."""

REST_FRAMEWORK = {
    # An API key (checked by integrations.api.middleware) or the portal
    # session, which keeps DRF's CSRF check.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "integrations.api.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "integrations.api.permissions.ApiKeyScopePermission"
    ],
    "DEFAULT_THROTTLE_CLASSES": ["integrations.api.throttling.ApiRateThrottle"],
    # Portal users calling the API; keys carry their own rate.
    "DEFAULT_THROTTLE_RATES": {"user": "600/min"},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSONParser with a size limit (API_MAX_BODY_BYTES in base.py).
    "DEFAULT_PARSER_CLASSES": ["integrations.api.parsers.LimitedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "integrations.api.pagination.ApiCursorPagination",
    "EXCEPTION_HANDLER": "core.problems.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "integrations.api.schema.ProblemAutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Hervat API",
    "DESCRIPTION": (
        "REST API v1 for HR and payroll systems: employers, employees, absence "
        "cases (ziekmelding, hersteldmelding), Poortwachter tasks, documents "
        "and the timeline of a case. Authenticate with an API key: "
        "`Authorization: Bearer hvk_…`. Every POST accepts an `Idempotency-Key` "
        "header. Errors are RFC 9457 problem+json; see docs/integrations/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SECURITY": [{"ApiKey": []}],
    "APPEND_COMPONENTS": {
        "securitySchemes": {
            "ApiKey": {"type": "http", "scheme": "bearer", "bearerFormat": "hvk_…"}
        }
    },
    "AUTHENTICATION_WHITELIST": [],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "integrations.api.schema.document_input_rules",
    ],
    "ENUM_NAME_OVERRIDES": {"LanguageEnum": "accounts.models.Language"},
    # The docs page loads Swagger UI from our own static files, not a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
