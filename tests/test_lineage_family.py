"""A write recomputes only its own family's licence lineage: random sites and writes show that this
always agrees with recomputing every card from scratch, and that the base-model index stays in step."""

import random

import pytest
import yaml
from django.db import transaction

from modelcards.cardfile import parse_card
from modelcards.models import BaseModelLink, ModelCard
from modelcards.openness import family, lineage
from modelcards.workflow import NoChange, create_card, edit_card_directly, revert_card, update_card

LICENCES = ["apache-2.0", "mit", "gpl-3.0", "llama2", "cc-by-nc-4.0", "openrail", "other"]


def card_text(licence: str, base_models: list[str], note: str) -> str:
    meta = {"license": licence}
    if licence == "other":
        meta.update(license_name="Custom", license_link="LICENSE")
    if base_models:
        meta["base_model"] = base_models if len(base_models) > 1 else base_models[0]
    return "---\n" + yaml.safe_dump(meta, sort_keys=False) + f"---\n# Model\n\n{note}\n"


def a_name_for(rng: random.Random, slug: str) -> str:
    """How a card might name `slug`: as is, as an organisation's repository, too long, or not at all."""
    return rng.choice(
        [
            slug,
            slug,
            f"Org{rng.randint(0, 2)}/{slug.upper()}",
            "x" * 120 + "/" + slug,
            "y" * 101,
            "no-such-card",
        ]
    )


def lineage_fields() -> dict:
    return {
        card.slug: (card.licence_lineage, card.openness_flags, card.has_openness_flags)
        for card in ModelCard.objects.all()
    }


def assert_as_if_recomputed_from_scratch(step) -> None:
    for card in ModelCard.objects.all():
        indexed = sorted(BaseModelLink.objects.filter(card=card).values_list("name", flat=True))
        assert indexed == sorted(lineage.link_names(card.base_models_index, longest=100)), (step, card.slug)
    stored = lineage_fields()
    savepoint = transaction.savepoint()
    family.refresh_lineage(ModelCard)
    recomputed = lineage_fields()
    transaction.savepoint_rollback(savepoint)
    differences = {
        slug: (stored[slug], recomputed[slug]) for slug in stored if stored[slug] != recomputed[slug]
    }
    assert not differences, (step, differences)


@pytest.mark.parametrize("seed", range(8))
def test_random_writes_leave_every_lineage_as_a_full_recompute_would(db, moderator, seed):
    rng = random.Random(seed)
    slugs = [f"c{number}" for number in range(rng.randint(3, 10))]
    for step in range(30):
        slug = rng.choice(slugs)
        bases = [a_name_for(rng, rng.choice(slugs)) for _ in range(rng.choice([0, 1, 1, 2, 3]))]
        text = card_text(rng.choice(LICENCES), bases, f"Step {step}.")
        card = ModelCard.objects.filter(slug=slug).first()
        how = "create" if card is None else rng.choice(["update", "edit", "revert"])
        try:
            if card is None:
                create_card(slug=slug, card_file=parse_card(text), user=None)
            elif how == "update":
                update_card(card, card_file=parse_card(text), user=None, summary="Random update")
            elif how == "edit":
                edit_card_directly(
                    card, text=text, summary="Random edit", base_version=card.version_number, editor=moderator
                )
            elif card.version_number > 1:
                revert_card(
                    card,
                    to_version=rng.randint(1, card.version_number - 1),
                    reviewer=moderator,
                    reason="Random",
                )
        except NoChange:
            pass
        assert_as_if_recomputed_from_scratch((seed, step, how, slug))


@pytest.mark.parametrize("seed", range(4))
def test_deep_chains_and_diamonds_agree_with_a_full_recompute_at_the_generation_limit(db, seed):
    rng = random.Random(1000 + seed)
    slugs = [f"g{number}" for number in range(rng.randint(10, 14))]

    def text(number: int) -> str:
        bases = [slugs[number - 1]] if number else []
        if number > 2 and rng.random() < 0.3:
            bases.append(slugs[rng.randrange(number - 1)])  # a diamond
        if rng.random() < 0.1:
            bases.append(rng.choice(slugs))  # a cycle, or a card naming itself
        return card_text(rng.choice(LICENCES[:6]), bases, f"Revision {rng.random()}")

    order = list(range(len(slugs)))
    rng.shuffle(order)  # fine-tunes are often on the site before their bases
    for number in order:
        create_card(slug=slugs[number], card_file=parse_card(text(number)), user=None)
        assert_as_if_recomputed_from_scratch((seed, "create", slugs[number]))
    for step in range(8):
        number = rng.randrange(len(slugs))
        card = ModelCard.objects.get(slug=slugs[number])
        update_card(card, card_file=parse_card(text(number)), user=None, summary="Relicence")
        assert_as_if_recomputed_from_scratch((seed, step, slugs[number]))


@pytest.mark.parametrize("fine_tunes", [3, 40, 450])  # 450: past SQLite's 999 parameters per CASE
def test_a_base_models_licence_change_costs_the_same_queries_however_many_fine_tunes_it_has(
    db, fine_tunes, django_assert_num_queries
):
    base = create_card(slug="base", card_file=parse_card(card_text("mit", [], "Base.")), user=None)
    for number in range(fine_tunes):
        text = card_text("mit", ["base"], f"Tune {number}.")
        create_card(slug=f"tune-{number}", card_file=parse_card(text), user=None)
    base.license = "llama2"  # stricter now: every fine-tune becomes looser than its base
    with django_assert_num_queries(2):  # every descendant in one query, one UPDATE for all of them
        changed = family.refresh_family(base)
    assert len(changed) == fine_tunes
    flagged = ModelCard.objects.filter(has_openness_flags=True).values_list("slug", flat=True)
    assert sorted(flagged) == sorted(f"tune-{number}" for number in range(fine_tunes))


def test_a_fine_tunes_cached_page_shows_the_flag_its_base_models_change_gives_it(client, db):
    base = create_card(slug="base", card_file=parse_card(card_text("mit", [], "Base.")), user=None)
    create_card(slug="tune", card_file=parse_card(card_text("mit", ["base"], "Tune.")), user=None)
    assert "Looser than its base model" not in client.get("/cards/tune/").content.decode()
    assert "Looser than its base model" not in client.get("/cards/tune/").content.decode()  # cached
    update_card(base, card_file=parse_card(card_text("llama2", [], "Base.")), user=None, summary="Stricter")
    assert "Looser than its base model" in client.get("/cards/tune/").content.decode()
