"""Login throttling with two limits: one per account and client, a higher one per client.

django-axes compares a single failure limit with the largest count among its lockout parameters
(settings.AXES_LOCKOUT_PARAMETERS). Counted per client address, every failure from an address would
then lock everyone behind it (an office, a university) as soon as one account's limit was reached.
So the handler below gives the address its own, higher limit: an address is paused only after
ACCOUNTS_LOGIN_FAILURES_PER_ADDRESS failures across all usernames, which is what stops one client
trying a few passwords on each of many accounts. The address is the keyed hash axes is given
(modelcards.limits.client_pseudonym), from the same proxy-aware client address the rate limits use.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit, get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum

ADDRESS = "ip_address"


def _is_address_alone(parameters) -> bool:
    return parameters == ADDRESS or parameters == [ADDRESS]


class PerAddressLimitHandler(AxesDatabaseHandler):
    """Axes' database handler, with the address-only lockout parameter held to its own limit."""

    def get_failures(self, request, credentials=None) -> int:
        """The failures that count towards a lockout: those of this account from this client, or the
        account limit itself once the client's failures on all accounts reach the address limit."""
        counted = [0]
        parameters_list = get_lockout_parameters(request, credentials)
        attempts_list = self.get_user_attempts(request, credentials)
        for parameters, attempts in zip(parameters_list, attempts_list, strict=True):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            if not _is_address_alone(parameters):
                counted.append(failures)
            elif failures >= settings.ACCOUNTS_LOGIN_FAILURES_PER_ADDRESS:
                request.login_paused_for_address = True  # for the lockout page's wording
                counted.append(max(failures, get_failure_limit(request, credentials)))
        return max(counted)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """A successful login clears that account's failures from this client, not the address's:
        otherwise logging in to an account of one's own would restart the count between guesses."""
        username = get_client_username(request, credentials)
        attempts = AccessAttempt.objects.filter(username=username, ip_address=request.axes_ip_address)
        return attempts.delete()[0]
