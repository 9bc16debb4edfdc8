"""Sign-up form: a username, an email address for password resets and notifications, a password."""

from django import forms
from django.contrib.auth.forms import UserCreationForm

from .models import User


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
