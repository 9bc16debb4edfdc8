"""Sign-up and public profiles; login, logout and password pages are Django's own views."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.views import PasswordResetView
from django.db import IntegrityError, transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from modelcards import limits
from modelcards.cardfile import is_storable
from modelcards.models import CardVersion
from modelcards.permissions import can_review
from modelcards.views.refusals import signed_out_post

from .forms import SignUpForm
from .models import User

PROFILE_ROWS = 50


def _next_page(request) -> str:
    """Where to go after signing up: the page the person came from, if it is one of this site's."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False)
    return target if safe and target.startswith("/") and is_storable(target) else ""


def signup(request):
    next_page = _next_page(request)
    if request.user.is_authenticated:
        return redirect(next_page or "modelcards:home")
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
            return redirect(next_page or "modelcards:home")
    context = {"form": form, "next": next_page}
    return render(request, "registration/signup.html", context, status=400 if form.errors else 200)


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


# Fields of the "log in and send" form that belong to the login, not to the form being sent again.
_RESEND_OWN_FIELDS = ("_resend_to", "username", "password", "csrfmiddlewaretoken", "_signed_in")


@require_POST
def login_and_resend(request):
    """Log in and send a form that arrived after its author's session ended, in one step.

    The form's own view is called with the fields as typed, once the person is signed in, so nothing
    they wrote is lost between logging in and sending; a wrong password shows it all again.
    """
    target = request.POST.get("_resend_to", "")
    path = urlsplit(target).path
    if not target.startswith("/") or target.startswith("//") or not is_storable(target):
        return HttpResponseBadRequest("This form cannot be sent again from here.")
    try:
        match = resolve(path)
    except Resolver404:
        return HttpResponseBadRequest("This form cannot be sent again from here.")
    user = authenticate(
        request, username=request.POST.get("username", ""), password=request.POST.get("password", "")
    )
    if user is None:
        return signed_out_post(request, target=target, problem="That username and password do not match.")
    login(request, user)
    fields = request.POST.copy()
    for name in _RESEND_OWN_FIELDS:
        fields.pop(name, None)
    request.POST = fields
    request.path = request.path_info = path
    request.META["PATH_INFO"] = path
    request.META["QUERY_STRING"] = urlsplit(target).query
    request.resolver_match = match
    return match.func(request, *match.args, **match.kwargs)
