"""Claims a card makes about openness, and who asserted each one.

A claim is one thing a reader may want to check: the card's licence, its training datasets, one
evaluation result, one licence default of the openness record, or one component. Each version's
claims are fingerprinted when it is written; a claim whose fingerprint is unchanged keeps who
asserted it and when, and a new or changed one is credited to the version's author (or to the
imported card, or to the Model Openness Tool record it came from). So the card page can say, beside
each claim, who asserted it and when it was last checked, without reading history.
"""

import hashlib
import json

from .record import DEFAULT_KEYS, record_of

SOURCE_ACCOUNT = "account"
SOURCE_ANONYMOUS = "anonymous"
SOURCE_IMPORT = "import"
SOURCE_MOT = "mot"
SOURCE_LEGACY = "legacy"


def _fingerprint(value) -> str:
    encoded = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()[:16]


def result_key(row: dict) -> str:
    """A stable name for one model-index result row: model, task, dataset, split and metric."""
    parts = [row.get(key, "") for key in ("model", "task", "dataset", "config", "split", "metric")]
    parts = [part if isinstance(part, (str, int, float)) else "" for part in parts]
    return "eval_results:" + "|".join(str(part) for part in parts)


def result_rows(metadata) -> list[dict]:
    """Each metric of each result in `model-index`, flattened, with its provenance fields."""
    rows = []
    model_index = metadata.get("model-index") if isinstance(metadata, dict) else None
    for model in model_index if isinstance(model_index, list) else []:
        if not isinstance(model, dict):
            continue
        results = model.get("results")
        for result in results if isinstance(results, list) else []:
            if not isinstance(result, dict):
                continue
            task = result.get("task") if isinstance(result.get("task"), dict) else {}
            dataset = result.get("dataset") if isinstance(result.get("dataset"), dict) else {}
            source = result.get("source") if isinstance(result.get("source"), dict) else {}
            metrics = result.get("metrics") if isinstance(result.get("metrics"), list) else []
            for metric in metrics:
                if not isinstance(metric, dict):
                    continue
                rows.append(
                    {
                        "model": model.get("name", ""),
                        "task": task.get("type", ""),
                        "task_name": task.get("name", "") if isinstance(task.get("name"), str) else "",
                        "dataset": dataset.get("name") or dataset.get("type", ""),
                        "config": dataset.get("config", ""),
                        "split": dataset.get("split", ""),
                        "metric": metric.get("name") or metric.get("type", ""),
                        "value": metric.get("value"),
                        "verified": metric.get("verified") is True,
                        "source_name": source.get("name", "") if isinstance(source.get("name"), str) else "",
                        "source_url": source.get("url", "") if isinstance(source.get("url"), str) else "",
                    }
                )
    return rows


def fingerprints(metadata) -> dict[str, str]:
    """Claim key -> fingerprint of what the card says for it."""
    if not isinstance(metadata, dict):
        return {}
    found = {}
    if metadata.get("license") not in (None, ""):
        found["license"] = _fingerprint(
            [metadata.get("license"), metadata.get("license_name"), metadata.get("license_link")]
        )
    if metadata.get("datasets") not in (None, "", []):
        found["datasets"] = _fingerprint(metadata.get("datasets"))
    for row in result_rows(metadata):
        found[result_key(row)] = _fingerprint({k: v for k, v in row.items() if k != "task_name"})
    record = record_of(metadata) or {}
    defaults = record.get("licenses") if isinstance(record.get("licenses"), dict) else {}
    for key in DEFAULT_KEYS:
        if defaults.get(key) not in (None, ""):
            found[f"licenses.{key}"] = _fingerprint(defaults[key])
    components = record.get("components") if isinstance(record.get("components"), dict) else {}
    for key, entry in components.items():
        # Sources and the checked date back a claim; adding them does not make it someone else's.
        claim = (
            {k: v for k, v in entry.items() if k not in ("evidence", "checked")}
            if isinstance(entry, dict)
            else entry
        )
        found[f"components.{key}"] = _fingerprint(claim)
    return found


def carry_provenance(
    previous: dict, metadata, *, by: str, source: str, version: int, at: str, maintainer: bool = False
) -> dict:
    """The provenance of each claim in `metadata`: kept where unchanged since `previous`, else new,
    marked `"maintainer": true` when asserted by a verified maintainer of the card."""
    previous = previous if isinstance(previous, dict) else {}
    carried = {}
    for key, fingerprint in fingerprints(metadata).items():
        before = previous.get(key)
        if isinstance(before, dict) and before.get("fp") == fingerprint:
            carried[key] = before
        else:
            carried[key] = {"fp": fingerprint, "by": by, "source": source, "version": version, "at": at}
            if maintainer:
                carried[key]["maintainer"] = True
    return carried


def describe(provenance: dict | None) -> str:
    """Who asserted a claim, to follow "Asserted by": "alice (version 3, 2026-12-01)"."""
    if not isinstance(provenance, dict):
        return ""
    when = f"(version {provenance.get('version')}, {provenance.get('at', '')})"
    by = provenance.get("by") or ""
    source = provenance.get("source")
    if source == SOURCE_IMPORT:
        return f"the card as imported {when}"
    if source == SOURCE_MOT:
        return f"a Model Openness Tool record{f' imported by {by}' if by else ''} {when}"
    if source == SOURCE_LEGACY:
        return f"an author before this site kept track {when}"
    if source == SOURCE_ANONYMOUS:
        return f"{by or 'an anonymous contributor'}, not signed in {when}"
    if provenance.get("maintainer"):
        return f"{by or 'an unknown author'}, verified maintainer {when}"
    return f"{by or 'an unknown author'} {when}"
