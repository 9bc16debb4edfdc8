"""Sign-up and public profiles; login, logout and password pages are Django's own views."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.views import PasswordResetView
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404, redirect, render

from modelcards import limits
from modelcards.models import CardVersion
from modelcards.permissions import can_review

from .forms import SignUpForm
from .models import User

PROFILE_ROWS = 50


def signup(request):
    if request.user.is_authenticated:
        return redirect("modelcards:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:
            # Someone took the name (or address) between the form's check and the insert: checking
            # again now names the field, as if they had been a moment quicker.
            form = SignUpForm(request.POST)
            if form.is_valid():
                form.add_error(None, "The account could not be created just now; please try again.")
        else:
            login(request, user, backend="accounts.identity.CachedModelBackend")
            messages.success(request, f"Welcome, {user.get_username()}. Your account is ready.")
            return redirect("modelcards:home")
    return render(request, "registration/signup.html", {"form": form}, status=400 if form.errors else 200)


def profile(request, username):
    person = get_object_or_404(User, username=username, is_active=True)
    versions = (
        CardVersion.objects.filter(author=person)
        .select_related("card", "moderator")
        .only(
            "number",
            "summary",
            "created_at",
            "size_delta",
            "card__slug",
            "card__title",
            "moderator__username",
        )
        .order_by("-created_at")[:PROFILE_ROWS]
    )
    approved = (
        CardVersion.objects.filter(moderator=person)
        .select_related("card", "author")
        .only(
            "number", "summary", "created_at", "card__slug", "card__title", "author__username", "author_name"
        )
        .order_by("-created_at")[:PROFILE_ROWS]
    )
    suggestions = person.suggestions.select_related("card").defer("text", "card__text", "card__metadata")
    if not (request.user == person or can_review(request.user)):
        suggestions = suggestions.filter(held=False)
    return render(
        request,
        "accounts/profile.html",
        {
            "person": person,
            "versions": versions,
            "approved": approved,
            "suggestions": suggestions.order_by("-created_at")[:PROFILE_ROWS],
        },
    )


class ThrottledPasswordResetView(PasswordResetView):
    """Password-reset mail is rate-limited per client, so the form cannot be used to flood an inbox."""

    email_template_name = "registration/password_reset_email.txt"

    def form_valid(self, form):
        if wait := limits.seconds_until_allowed(self.request, "password_reset"):
            form.add_error(None, f"Too many reset requests; try again in {limits.describe_wait(wait)}.")
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)
