"""Sign-up form: a username, an email address for password resets and notifications, a password."""

from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import User


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=True, help_text="Used for password resets and notifications.")

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")
