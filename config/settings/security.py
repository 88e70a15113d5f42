"""Authentication hardening, cookies, security headers and the CSP.

Every value is safe by default when DEBUG is off; development (DEBUG=1) only
relaxes what plain http on 127.0.0.1 cannot do (Secure cookies, HSTS, the
redirect to https). ``docs/security/authentication.md`` lists each control
with the test that proves it.
"""

import datetime as dt

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_str

_DEBUG = env_bool("DEBUG", default=False)

# --- Two-factor authentication (django-otp; policy in accounts.two_factor) ---
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Hervat")
# django-otp's own exponential back-off is replaced by one clear rule per
# user (accounts.two_factor): after TWO_FACTOR_MAX_FAILURES wrong codes in a
# row the code form refuses for TWO_FACTOR_LOCKOUT_SECONDS.
OTP_TOTP_THROTTLE_FACTOR = 0
OTP_STATIC_THROTTLE_FACTOR = 0
TWO_FACTOR_MAX_FAILURES = env_int("TWO_FACTOR_MAX_FAILURES", default=5)
TWO_FACTOR_LOCKOUT_SECONDS = env_int("TWO_FACTOR_LOCKOUT_SECONDS", default=15 * 60)
TWO_FACTOR_RECOVERY_CODES = 10

# --- Login throttling and lock-out (django-axes) ---
# Five wrong passwords for one account from one address lock that pair out
# for 15 minutes; a success resets the count. Attempts and lock-outs are
# kept in the database (admin: Axes) and logged by axes.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.security.login_locked_out_response"
AXES_CLIENT_IP_CALLABLE = "accounts.security.client_ip"
AXES_USERNAME_CALLABLE = "accounts.security.login_username"
# Behind N reverse proxies that append to X-Forwarded-For, the client is the
# N-th address from the right; 0 (the default) trusts only REMOTE_ADDR.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", default=0)
# Failed logins are logged; Axes' per-login access log would duplicate it.
AXES_DISABLE_ACCESS_LOG = True
# No start-up banner on every management command.
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = ["password", "code"]

# --- Sessions ---
# A session ends after SESSION_IDLE_TIMEOUT seconds without a request
# (sliding) and at the latest SESSION_COOKIE_AGE seconds after the login.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_SECURE = not _DEBUG
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = not _DEBUG
# The portal sends the token from the page (hx-headers), never from JS that
# reads the cookie, so the cookie can be HttpOnly.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = not _DEBUG
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Transport ---
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not _DEBUG)
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", default=0 if _DEBUG else 365 * 24 * 60 * 60
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# "HTTP_X_FORWARDED_PROTO,https" when a TLS proxy sets that header (and
# strips it from what clients send); unset, only a direct https counts.
_proxy_ssl_header = env_str("SECURE_PROXY_SSL_HEADER", "-")
if _proxy_ssl_header == "-":
    SECURE_PROXY_SSL_HEADER = None
else:
    _name, _sep, _value = _proxy_ssl_header.partition(",")
    if not _name.startswith("HTTP_") or not _value:
        raise ImproperlyConfigured(
            "SECURE_PROXY_SSL_HEADER must look like HTTP_X_FORWARDED_PROTO,https."
        )
    SECURE_PROXY_SSL_HEADER = (_name.strip(), _value.strip())

# --- Headers (SecurityMiddleware, XFrameOptionsMiddleware, accounts.security) ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Browser features the portal never uses are switched off for every page.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), payment=(), usb=()"
)

# --- Content-Security-Policy (django-csp) ---
# No inline script or style anywhere: templates load static files only and
# HTMX is told not to inject its indicator styles (meta htmx-config). The API
# docs page (Swagger UI) is the one view with a wider policy (see
# integrations/api/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
