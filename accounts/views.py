"""Sign-up and public profiles; login, logout and password pages are Django's own views."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.views import PasswordResetView, redirect_to_login
from django.db import IntegrityError, transaction
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from modelcards import limits
from modelcards.cardfile import is_storable
from modelcards.governance import visibility
from modelcards.mail_texts import site_url
from modelcards.models import CardVersion
from modelcards.permissions import can_review
from modelcards.views.refusals import signed_out_post

from . import email_links
from .api_tokens import issue_token, revoke_token
from .forms import ApiTokenForm, EmailChangeForm, SignUpForm
from .models import ApiToken, User
from .signup_throttle import seconds_until_signup_allowed

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
    address_hash = limits.ip_hash(request)
    if request.method == "POST" and (wait := seconds_until_signup_allowed(address_hash)):
        form.errors.clear()
        form.add_error(
            None,
            "Too many accounts were made from your network lately; "
            f"try again in {limits.describe_wait(wait)}.",
        )
        return render(request, "registration/signup.html", {"form": form, "next": next_page}, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                form.instance.signup_ip_hash = address_hash
                user = form.save()
                email_links.send_verification(user)
        except IntegrityError:
            # Someone took the name (or address) between the form's check and the insert: checking
            # again now names the field, as if they had been a moment quicker.
            form = SignUpForm(request.POST)
            if form.is_valid():
                form.add_error(None, "The account could not be created just now; please try again.")
        else:
            request.signing_up = True  # the welcome below says what the login reminder would
            login(request, user, backend="accounts.identity.CachedModelBackend")
            messages.success(
                request,
                f"Welcome, {user.get_username()}. We sent a link to {user.email}: follow it to verify "
                "your address. Until then your account counts as a visitor without one for limits and holds.",
            )
            return redirect(next_page or "modelcards:home")
    context = {"form": form, "next": next_page}
    return render(request, "registration/signup.html", context, status=400 if form.errors else 200)


def profile(request, username):
    person = get_object_or_404(User, username=username, is_active=True)
    return render(request, "accounts/profile.html", _profile_context(request, person))


def _profile_context(request, person, *, api_token_form=None, email_change_form=None) -> dict:
    # Issue 15 item 4: a version whose author's name the viewer may not see is not listed as theirs.
    level = visibility.viewer_level(request.user)
    versions = (
        CardVersion.objects.filter(author=person, author_visibility__lte=level)
        .select_related("card", "moderator")
        .only(
            "number",
            "summary",
            "created_at",
            "size_delta",
            "card__slug",
            "card__title",
            "moderator__username",
            *visibility.FIELD.values(),
        )
        .order_by("-created_at")[:PROFILE_ROWS]
    )
    approved = (
        CardVersion.objects.filter(moderator=person)
        .select_related("card", "author")
        .only(
            "number",
            "summary",
            "created_at",
            "card__slug",
            "card__title",
            "author__username",
            "author_name",
            *visibility.FIELD.values(),
        )
        .order_by("-created_at")[:PROFILE_ROWS]
    )
    suggestions = person.suggestions.select_related("card").defer("text", "card__text", "card__metadata")
    suggestions = suggestions.exclude(version__author_visibility__gt=level)
    if not (request.user == person or can_review(request.user)):
        suggestions = suggestions.filter(held=False)
    versions, approved = list(versions), list(approved)
    visibility.mask(versions + approved, level)
    context = {
        "person": person,
        "versions": versions,
        "approved": approved,
        "suggestions": suggestions.order_by("-created_at")[:PROFILE_ROWS],
    }
    if request.user == person:  # API tokens and the address: on one's own profile only
        context["api_tokens"] = person.api_tokens.all()[:PROFILE_ROWS]
        context["api_token_form"] = api_token_form or ApiTokenForm(moderator=can_review(person))
        context["email_change_form"] = email_change_form or EmailChangeForm(user=person)
    return context


@require_POST
def api_token_create(request):
    """Make a personal API token and show its secret, this once (it is stored only as a hash)."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("modelcards:home"))
    form = ApiTokenForm(request.POST, moderator=can_review(request.user))
    if not form.is_valid():
        context = _profile_context(request, request.user, api_token_form=form)
        return render(request, "accounts/profile.html", context, status=400)
    token, secret = issue_token(
        request.user,
        name=form.cleaned_data["name"],
        scope=form.cleaned_data["scope"],
        expires_at=form.expires_at(),
    )
    context = {"token": token, "secret": secret, "site_url": site_url()}
    response = render(request, "accounts/api_token_created.html", context)
    response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@require_POST
def api_token_revoke(request, pk):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)  # someone else's token: 404
    revoke_token(token)
    messages.success(request, f"The token “{token.name}” was revoked: it no longer opens the API.")
    return redirect(request.user)


# Verifying an address and changing it -----------------------------------------------------------------


def _link_problem(request, problem: email_links.LinkProblem):
    context = {"title": "This link does not work", "problem": str(problem)}
    return render(request, "accounts/email_link.html", context, status=problem.status)


@require_http_methods(["GET", "HEAD", "POST"])
def verify_email(request, token):
    """The link in the verification mail: a page with a button, so that a mail scanner's visit does
    nothing; the button verifies the address."""
    try:
        person = email_links.user_to_verify(token)
    except email_links.LinkProblem as problem:
        return _link_problem(request, problem)
    if request.method != "POST":
        context = {
            "title": "Verify your email address",
            "person": person,
            "address": person.email,
            "button": "Verify this address",
        }
        return render(request, "accounts/email_link.html", context)
    email_links.verify(person)
    messages.success(request, f"Thank you: {person.email} is verified, and the account counts as registered.")
    return redirect(person)


@require_POST
def resend_verification(request):
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("modelcards:home"))
    if request.user.email_verified:
        messages.info(request, "Your address is verified already.")
        return redirect(request.user)
    if wait := limits.seconds_until_allowed(request, "verify_email"):
        context = {
            "title": "Please wait",
            "problem": f"Several links were sent lately; ask again in {limits.describe_wait(wait)}.",
        }
        return render(request, "accounts/email_link.html", context, status=429)
    email_links.send_verification(request.user)
    messages.success(request, f"We sent a new link to {request.user.email}.")
    return redirect(request.user)


@require_POST
def change_email(request):
    """Ask for a new address: nothing changes until the link mailed to the new address is followed."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("modelcards:home"))
    form = EmailChangeForm(request.POST, user=request.user)
    if wait := limits.seconds_until_allowed(request, "verify_email"):
        form.add_error(None, f"Several links were sent lately; ask again in {limits.describe_wait(wait)}.")
        status = 429
    elif form.is_valid():
        email_links.request_change(request.user, form.cleaned_data["email"])
        messages.success(
            request,
            f"We sent a link to {form.cleaned_data['email']}. Your address changes when you follow it; "
            f"until then it stays {request.user.email}.",
        )
        return redirect(request.user)
    else:
        status = 400
    context = _profile_context(request, request.user, email_change_form=form)
    return render(request, "accounts/profile.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_email_change(request, token):
    """The link mailed to a new address: a page with a button; the button makes the change."""
    try:
        change = email_links.change_to_confirm(token)
        if request.method == "POST":
            email_links.confirm_change(change)
    except email_links.LinkProblem as problem:
        return _link_problem(request, problem)
    if request.method != "POST":
        context = {
            "title": "Confirm your new email address",
            "person": change.user,
            "address": change.new_email,
            "button": "Use this address",
        }
        return render(request, "accounts/email_link.html", context)
    messages.success(request, f"The account's address is now {change.new_email}.")
    return redirect(change.user)


class ThrottledPasswordResetView(PasswordResetView):
    """Password-reset mail is rate-limited per client, so the form cannot be used to flood an inbox.

    Its link starts with SITE_URL: Django's own view would build it from the request's Host, which a
    request may set to any allowed host on any port.
    """

    email_template_name = "registration/password_reset_email.txt"

    @property
    def extra_email_context(self):
        return {"site_url": site_url()}

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
