"""BaseModelLink: the names each card gives as base models, indexed, so a write reads only its family."""

import django.db.models.deletion
from django.db import migrations, models


def fill_links(apps, schema_editor):
    from modelcards.openness.lineage import link_names

    ModelCard = apps.get_model("modelcards", "ModelCard")
    BaseModelLink = apps.get_model("modelcards", "BaseModelLink")
    derived = ModelCard.objects.exclude(base_models_index="").values_list("pk", "base_models_index")
    BaseModelLink.objects.bulk_create(
        (
            BaseModelLink(card_id=pk, name=name)
            for pk, index in derived
            for name in link_names(index, longest=100)
        ),
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("modelcards", "0003_search_and_profile_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="BaseModelLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(db_index=True, max_length=100)),
                (
                    "card",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="base_model_links",
                        to="modelcards.modelcard",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("card", "name"), name="unique_base_model_link")
                ],
            },
        ),
        migrations.RunPython(fill_links, migrations.RunPython.noop),
    ]
