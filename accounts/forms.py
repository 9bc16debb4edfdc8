"""Sign-up (a username, an email address for password resets and notifications, a password) and the
form that makes a personal API token."""

from datetime import timedelta

from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils import timezone

from modelcards.forms import clean_single_line

from .models import ApiToken, User


class SignUpForm(UserCreationForm):
    email = forms.EmailField(required=True, help_text="Used for password resets and notifications.")
    # A honeypot: hidden from people by site.css, filled in by bots that fill in every field.
    website = forms.CharField(
        required=False,
        label="Leave this field empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1", "class": "honeypot"}),
    )

    def clean_website(self):
        if self.cleaned_data["website"].strip():
            raise forms.ValidationError("This sign-up looked automated and was not accepted.")
        return ""

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email")


class ApiTokenForm(forms.Form):
    """A new personal API token: what it is for, what it may do, and how long it lasts."""

    EXPIRY_DAYS = {"30": 30, "90": 90, "365": 365, "never": None}

    name = forms.CharField(max_length=100, help_text="What uses it, e.g. “leaderboard sync”.")
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    expires = forms.ChoiceField(
        choices=[("30", "In 30 days"), ("90", "In 90 days"), ("365", "In a year"), ("never", "Never")],
        initial="90",
        label="Expires",
    )

    def __init__(self, *args, moderator: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not moderator:  # a token never does more than its owner may
            self.fields["scope"].choices = [
                choice for choice in ApiToken.Scope.choices if choice[0] != ApiToken.Scope.MODERATE
            ]

    def clean_name(self):
        return clean_single_line(self.cleaned_data["name"], "name")

    def expires_at(self):
        days = self.EXPIRY_DAYS[self.cleaned_data["expires"]]
        return timezone.now() + timedelta(days=days) if days else None
