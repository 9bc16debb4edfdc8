"""Each account's username skeleton (accounts/confusables.py), so typed names can be checked against
every account with one indexed query; existing accounts are filled in here."""

from django.db import migrations, models

from accounts.confusables import skeleton


def fill_skeletons(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    batch = []
    for user in User.objects.only("pk", "username").iterator(chunk_size=1000):
        user.username_skeleton = skeleton(user.username)
        batch.append(user)
        if len(batch) == 1000:
            User.objects.bulk_update(batch, ["username_skeleton"])
            batch = []
    User.objects.bulk_update(batch, ["username_skeleton"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="username_skeleton",
            field=models.CharField(blank=True, db_index=True, editable=False, max_length=300),
        ),
        migrations.RunPython(fill_skeletons, migrations.RunPython.noop, elidable=True),
    ]
