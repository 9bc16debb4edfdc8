"""Sign-up (a username, an email address for password resets and notifications, a password) and the
form that makes a personal API token; new usernames follow one set of rules, in the admin too."""

from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AdminUserCreationForm, UserCreationForm
from django.utils import timezone

from modelcards.forms import clean_single_line

from .confusables import mixes_scripts, skeleton
from .models import ApiToken, User

# The names shown for people without an account, which no account may take.
_STAND_IN_NAMES = frozenset({"anonymous", "someone", "unregistered"})
# Accounts the site itself acts as (the Hub sync files its suggestions as modelcards/hub/sync.py's
# SYSTEM_USERNAME), kept from people so that nobody passes for the site.
SYSTEM_NAMES = frozenset({"hub-sync"})


class UsernameRulesMixin:
    """The rules for a new username, in sign-up and in the admin's "Add user"."""

    def clean_username(self):
        """Usernames are read by people: one script each, and none that passes for an existing one."""
        username = super().clean_username()
        if not username:  # already refused: the same name in another case
            return username
        if mixes_scripts(username):
            raise forms.ValidationError(
                "A username must use letters of one script only (for example not Latin and Cyrillic "
                "together), so that nobody can pass for someone else."
            )
        username_skeleton = skeleton(username)
        if username_skeleton in _STAND_IN_NAMES:
            raise forms.ValidationError("That name stands for people without an account; choose another.")
        if username_skeleton in {skeleton(name) for name in SYSTEM_NAMES}:
            raise forms.ValidationError(
                "That name belongs to the site itself (an account it acts as); choose another."
            )
        if User.objects.filter(username_skeleton=username_skeleton).exists():
            raise forms.ValidationError(
                "That username looks the same as an existing one (ignoring case and look-alike "
                "characters); choose another."
            )
        return username


class SignUpForm(UsernameRulesMixin, UserCreationForm):
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


class EmailChangeForm(forms.Form):
    """A new address for one's own account, with the password, so that an open session is not enough."""

    email = forms.EmailField(label="New email address", max_length=254)
    password = forms.CharField(
        label="Your password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"])
        if email.casefold() == self.user.email.casefold():
            raise forms.ValidationError("That is the address the account has already.")
        return email

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError("That is not your password.")
        return ""


class AdminAddUserForm(UsernameRulesMixin, AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username",)


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
