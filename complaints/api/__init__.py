"""The REST API, /api/v1/: what the pages do, for councils' CRMs and children's case systems.

Every endpoint asks complaints.access as the pages do (a case you may not see is a 404), and
each action on a case runs from its entry in complaints.actions through the same form the page
uses (complaints.api.inputs turns JSON into that form's input).
"""
