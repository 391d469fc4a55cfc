"""Every app's reference data, in one call: what `manage.py load_reference_data`, the demo and
the tests load. Each loader creates missing rows only, never undoing an admin's change."""

from accounts.roles import ensure_role_groups
from complaints.reference_data import load_reference_data as load_complaints_data
from compliments.reference_data import load_reference_data as load_compliments_data
from ombudsman.reference_data import load_reference_data as load_ombudsman_data
from privacy.reference_data import load_reference_data as load_privacy_data
from reporting.reference_data import load_reference_data as load_reporting_data


def load_all_reference_data() -> dict[str, int]:
    """Also the role groups, with exactly their permissions: a deployment that never ran the
    demo has them too, and a permission a new release gives a role reaches it here."""
    ensure_role_groups()
    return {
        **load_complaints_data(),
        **load_ombudsman_data(),
        **load_compliments_data(),
        **load_reporting_data(),
        **load_privacy_data(),
    }
