"""What the API sends and takes, as pydantic models: the source of its OpenAPI description.

Endpoints build plain dicts and serialise them once (`conditional.as_json`) rather than validating
every row of every answer again; tests/test_api_*.py check each answer against these descriptions.
"""
