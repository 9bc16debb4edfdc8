"""Many threads changing one card on a file-based SQLite database, as gunicorn's threads would.

Run in a fresh process by tests/test_sqlite_concurrency.py, with the project's own settings (so the
SQLite options under test are the ones production uses) and DATABASE_URL naming a new file. Prints
one JSON report: the errors the threads met, the card's version numbers, and any edit that was lost.
"""

import json
import sys
import threading


def main(threads: int, rounds: int) -> dict:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connections

    from modelcards.cardfile import parse_card
    from modelcards.models import ModelCard
    from modelcards.workflow import accept_suggestion, create_card, edit_card_directly, submit_suggestion

    call_command("migrate", verbosity=0)
    paragraphs = threads * rounds
    text = "---\nlicense: mit\n---\n# Shared card\n" + "".join(
        f"\nParagraph {n}.\n" for n in range(paragraphs)
    )
    moderators = Group.objects.get(name="Moderators")
    people = []
    for n in range(threads):
        person = get_user_model().objects.create_user(f"writer{n}")
        person.groups.add(moderators)
        people.append(person)
    card = create_card(slug="shared", card_file=parse_card(text), user=people[0], summary="start")
    barrier = threading.Barrier(threads)
    errors: list[str] = []

    def work(n: int) -> None:
        person = get_user_model().objects.get(pk=people[n].pk)
        try:
            barrier.wait()
            for r in range(rounds):
                paragraph = n * rounds + r
                current = ModelCard.objects.get(pk=card.pk)
                changed = current.text.replace(f"Paragraph {paragraph}.", f"Paragraph {paragraph}, changed.")
                if (n + r) % 2:
                    suggestion = submit_suggestion(
                        card=current,
                        text=changed,
                        summary=f"p{paragraph}",
                        base_version=current.version_number,
                        author=person,
                    )
                    accept_suggestion(suggestion, reviewer=person)
                else:
                    edit_card_directly(
                        current,
                        text=changed,
                        summary=f"p{paragraph}",
                        base_version=current.version_number,
                        editor=person,
                    )
        except Exception as exc:  # noqa: BLE001 - every failure is reported, none may happen
            errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            connections.close_all()

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    card.refresh_from_db()
    with connections["default"].cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    return {
        "journal_mode": journal_mode,
        "errors": errors,
        "hung": sum(worker.is_alive() for worker in workers),
        "numbers": sorted(card.versions.values_list("number", flat=True)),
        "lost": [n for n in range(paragraphs) if f"Paragraph {n}, changed." not in card.text],
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(int(sys.argv[1]), int(sys.argv[2]))) + "\n")
