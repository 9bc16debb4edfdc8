"""Users in Django's admin."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .forms import AdminAddUserForm
from .models import User


@admin.register(User)
class SiteUserAdmin(UserAdmin):
    add_form = AdminAddUserForm  # the sign-up rules for usernames: one script, no look-alikes
