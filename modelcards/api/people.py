"""How the API names a person: a registered account, or the name someone gave without one."""


def person(user, name: str = "") -> dict:
    if user is not None:
        return {"name": user.get_username(), "registered": True, "profile": user.get_absolute_url()}
    return {"name": name or "anonymous", "registered": False, "profile": None}
