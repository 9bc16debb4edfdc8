"""Checking the site's namespaced keys when a card is saved: the record, evidence, markers and summary."""

from ..wording import describe_kind, did_you_mean
from .disputes import dispute_problems
from .record import (
    DISPUTES,
    EVIDENCE,
    NAMESPACE,
    NAMESPACE_KEYS,
    RECORD,
    SUMMARY,
    evidence_problems,
    record_problems,
    summary_problems,
)


def namespace_problems(metadata: dict) -> list[tuple[tuple, str, str]]:
    """Problems with the `modelcardcommons` keys, as (metadata path, message, severity) for cardfile.

    Errors block saving; warnings are shown and the card is saved. Licence text is never an error.
    """
    if NAMESPACE not in metadata:
        return []
    namespace = metadata[NAMESPACE]
    if not isinstance(namespace, dict):
        message = (
            f"must be a mapping of this site's keys, such as `{RECORD}:`, not {describe_kind(namespace)}"
        )
        return [((NAMESPACE,), message, "error")]
    problems: list[tuple[tuple, str, str]] = []
    for key in namespace:
        if key not in NAMESPACE_KEYS:
            message = f"is not a key this site knows{did_you_mean(key, NAMESPACE_KEYS, n=1)}"
            problems.append(((NAMESPACE, key), message, "error"))
    if RECORD in namespace:
        problems += record_problems(namespace[RECORD], metadata)
    if EVIDENCE in namespace:
        problems += evidence_problems(namespace[EVIDENCE])
    if DISPUTES in namespace:
        problems += dispute_problems(namespace[DISPUTES])
    if SUMMARY in namespace:
        problems += summary_problems(namespace[SUMMARY])
    return problems
