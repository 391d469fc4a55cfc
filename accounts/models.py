from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A member of staff or an external investigator who logs in.

    What a user may do comes from their role group (accounts.roles); which cases they may see
    comes from complaints.selectors.cases_visible_to.
    """

    job_title = models.CharField(max_length=150, blank=True)
    organisation = models.CharField(
        max_length=150, blank=True, help_text="For external investigators and independent persons."
    )
    # Who the council's identity provider says this is (its `sub` claim), for single sign-on.
    identity_provider_subject = models.CharField(
        max_length=255, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        ordering = ["last_name", "first_name", "username"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username
