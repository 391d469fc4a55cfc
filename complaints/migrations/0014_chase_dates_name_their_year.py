from django.db import migrations

# What the first chase rules said, and what they say now: a short date gives its year when it
# is not this year's, and a reminder on the day says "today" rather than "in 0 working days".
REWORDED = {
    "|date:'j M'": "|short_date",
    "in {{ days }} working day{{ days|pluralize }}": (
        "{% if days %}in {{ days }} working day{{ days|pluralize }}{% else %}today{% endif %}"
    ),
}


def reword(apps, schema_editor):
    ChaseRule = apps.get_model("complaints", "ChaseRule")
    for rule in ChaseRule.objects.all():
        subject, body = rule.subject, rule.body
        for old, new in REWORDED.items():
            subject, body = subject.replace(old, new), body.replace(old, new)
        if (subject, body) != (rule.subject, rule.body):
            rule.subject, rule.body = subject, body
            rule.save(update_fields=["subject", "body"])


class Migration(migrations.Migration):
    dependencies = [("complaints", "0013_letters_follow_the_case")]

    operations = [migrations.RunPython(reword, migrations.RunPython.noop)]
