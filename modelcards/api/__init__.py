"""The HTTP API under /api/v1/ (django-ninja): cards, versions, diffs, history, suggestions, discussions.

`v1` assembles it; `middleware` is its boundary with the rest of the site (CORS, body checks, one
JSON error shape); `auth` reads personal tokens; `errors`, `conditional` and `pagination` hold the
conventions every endpoint follows; the other modules are the endpoints and `schemas` what they send.
"""
