"""Case-work pages. Each view finds the case through complaints.access, checks the action there,
and hands the typed input to a workflow move or a service; no rule is decided here."""
