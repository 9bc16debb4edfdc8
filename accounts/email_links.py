"""Links that prove someone reads an email address: verifying a new account's address, and confirming
a change of address. Their mails, and the checks made when a link is followed.

A link holds a signed, timestamped token (django.core.signing) that names the account or the change
and a digest of the state it was made for. It expires after EMAIL_LINK_HOURS, and it stops working
once it has been used: verifying changes the state its digest covers, and so does any change of
address, so an old link can neither verify a new address nor undo a change.

The mails go through the outbox (modelcards/outbox.py), which writes them when it sends them, from
the event's rows: `render` below is called by modelcards/mail_texts.py for the "account_" events.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.core import signing
from django.db import transaction
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from modelcards.mail_texts import PREFIX, site_url
from modelcards.outbox import queue_mail

from .models import EmailChange, User

VERIFY_SALT = "accounts.email_links.verify"
CHANGE_SALT = "accounts.email_links.change"


class LinkProblem(Exception):
    """A link that does nothing: its message is for the person who followed it, with an HTTP status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def _digest(salt: str, *parts) -> str:
    return salted_hmac(salt, "|".join(str(part) for part in parts)).hexdigest()[:20]


def _verify_digest(user: User) -> str:
    return _digest(VERIFY_SALT, user.pk, user.email, user.email_verified_at)


def _change_digest(change: EmailChange, current_email: str) -> str:
    return _digest(CHANGE_SALT, change.pk, change.new_email, current_email, change.confirmed_at)


def verify_token(user: User) -> str:
    return signing.TimestampSigner(salt=VERIFY_SALT).sign(f"{user.pk}.{_verify_digest(user)}")


def change_token(change: EmailChange) -> str:
    signer = signing.TimestampSigner(salt=CHANGE_SALT)
    return signer.sign(f"{change.pk}.{_change_digest(change, change.user.email)}")


def _unsign(token: str, salt: str) -> tuple[int, str]:
    try:
        value = signing.TimestampSigner(salt=salt).unsign(token, max_age=settings.EMAIL_LINK_HOURS * 3600)
    except signing.SignatureExpired:
        raise LinkProblem(
            "This link has expired. Ask for a new one from your profile page.", status=410
        ) from None
    except signing.BadSignature:
        raise LinkProblem(
            "This link is not valid: it may have been cut short or changed. Copy the whole link from "
            "the mail, or ask for a new one from your profile page.",
            status=400,
        ) from None
    pk, _, digest = value.partition(".")
    return int(pk), digest


def user_to_verify(token: str) -> User:
    """The account a verification link is for, or LinkProblem saying why the link does nothing."""
    pk, digest = _unsign(token, VERIFY_SALT)
    user = User.objects.filter(pk=pk, is_active=True).first()
    if user is None:
        raise LinkProblem("The account this link was for no longer exists.", status=410)
    if not constant_time_compare(digest, _verify_digest(user)):
        if user.email_verified:
            raise LinkProblem("This link was used already: the address is verified.", status=410)
        raise LinkProblem(
            "This link was sent to an address the account no longer has; ask for a new one.", status=410
        )
    return user


def change_to_confirm(token: str) -> EmailChange:
    """The change of address a confirmation link is for, or LinkProblem saying why it does nothing."""
    pk, digest = _unsign(token, CHANGE_SALT)
    change = EmailChange.objects.select_related("user").filter(pk=pk, user__is_active=True).first()
    if change is None:
        raise LinkProblem("The account this link was for no longer exists.", status=410)
    if change.confirmed_at is not None:
        raise LinkProblem("This link was used already: the address was changed.", status=410)
    if not constant_time_compare(digest, _change_digest(change, change.user.email)):
        raise LinkProblem(
            "This link no longer applies: the account's address has changed since it was sent.", status=410
        )
    return change


def send_verification(user: User) -> None:
    """Queue a mail to the account's address with a link that verifies it."""
    # A new event each time, so that asking again sends again (the outbox sends each event once).
    queue_mail(f"account_verify:{user.pk}:{time.time_ns()}", [user.email])


def verify(user: User) -> None:
    user.email_verified_at = timezone.now()
    user.save(update_fields=["email_verified_at"])


def request_change(user: User, new_email: str) -> EmailChange:
    """Record a wish to change the account's address and mail the confirmation link to the new one.

    Nothing about the account changes until that link is followed (`confirm_change`).
    """
    with transaction.atomic():
        change = EmailChange.objects.create(user=user, old_email=user.email, new_email=new_email)
        queue_mail(f"account_email_change:{change.pk}", [new_email])
    return change


def confirm_change(change: EmailChange) -> None:
    """Give the account its new address, verified, and tell the old address."""
    now = timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=change.user_id)
        if user.email != change.old_email:  # another change won meanwhile
            raise LinkProblem(
                "This link no longer applies: the account's address has changed since it was sent.",
                status=410,
            )
        updated = EmailChange.objects.filter(pk=change.pk, confirmed_at=None).update(confirmed_at=now)
        if not updated:
            raise LinkProblem("This link was used already: the address was changed.", status=410)
        user.email, user.email_verified_at = change.new_email, now
        user.save(update_fields=["email", "email_verified_at"])
        queue_mail(f"account_email_changed:{change.pk}", [change.old_email])


@receiver(user_logged_in)
def _remind_unverified(sender, request, user, **kwargs):
    """Say so at each login, since cached pages' headers are shared and cannot say it per account."""
    if request is None or user.email_verified or getattr(request, "signing_up", False):
        return
    messages.warning(
        request,
        f"Your email address, {user.email}, is not verified yet, so your account counts as a visitor "
        "without one for limits and holds. Your profile page can send the link again.",
        fail_silently=True,
    )


# The mails ------------------------------------------------------------------------------------------


def render(kind: str, rest: str) -> tuple[str, str]:
    """The subject and body of an account mail (an "account_…" outbox event)."""
    hours = settings.EMAIL_LINK_HOURS
    if kind == "account_verify":
        user = User.objects.get(pk=rest.partition(":")[0])
        link = site_url() + reverse("accounts:verify_email", args=[verify_token(user)])
        body = (
            f'Someone, probably you, made the account "{user.get_username()}" on Model Card Commons '
            f"with this address.\n\nTo verify the address, open this link within {hours} hours:\n{link}\n\n"
            "Until then the account is treated like a visitor without one: suggestions with many links "
            "wait for a moderator, and the limits for anonymous visitors apply.\n\n"
            "If you did not make this account, ignore this mail.\n"
        )
        return f"{PREFIX} Verify your email address", body
    change = EmailChange.objects.select_related("user").get(pk=rest)
    username = change.user.get_username()
    if kind == "account_email_change":
        link = site_url() + reverse("accounts:confirm_email_change", args=[change_token(change)])
        body = (
            f'Someone, probably you, asked to use this address for the account "{username}" on '
            f"Model Card Commons.\n\nTo confirm, open this link within {hours} hours:\n{link}\n\n"
            "The account keeps its old address until then. If you did not ask for this, ignore this mail.\n"
        )
        return f"{PREFIX} Confirm your new email address", body
    if kind == "account_email_changed":
        body = (
            f'The email address of the account "{username}" on Model Card Commons was changed from '
            f"this address to {change.new_email}.\n\n"
            "If you did not do this, someone else may know your password: write to the site's staff, "
            "who can give the account back its address.\n"
        )
        return f"{PREFIX} Your email address was changed", body
    raise ValueError(f"No mail is written for the event {kind}:{rest!r}.")
