from django.urls import path

from complaints.views import actions, audit, cases, files, imports, learning, pool, work

urlpatterns = [
    path("", work.my_work, name="home"),
    path("cases/", cases.case_list, name="case-list"),
    path("learning/", learning.learning_overview, name="learning"),
    path("imports/", imports.import_start, name="import-start"),
    path("imports/template.csv", imports.import_template, name="import-template"),
    path("imports/<int:pk>/", imports.import_detail, name="import-detail"),
    path("imports/<int:pk>/problems.csv", imports.import_problems, name="import-problems"),
    path("actions/<int:pk>/done/", learning.action_complete, name="action-complete"),
    path("cases/export.csv", cases.case_export, name="case-export"),
    path("cases/new/", cases.case_log, name="case-log"),
    path("people/<int:pk>/activity/", audit.person_activity, name="person-activity"),
    path("cases/<str:reference>/", cases.case_detail, name="case-detail"),
    path("cases/<str:reference>/access-log/", audit.case_access_log, name="case-access-log"),
    path("cases/<str:reference>/timeline/", cases.case_timeline, name="case-timeline"),
    # Adding an element is the "statement" action; its form sits on the case page.
    path(
        "cases/<str:reference>/elements/",
        actions.case_action,
        {"slug": "statement"},
        name="element-add",
    ),
    path(
        "cases/<str:reference>/elements/<int:number>/", actions.element_edit, name="element-edit"
    ),
    path(
        "cases/<str:reference>/remedies/<int:pk>/remove/",
        actions.remedy_remove,
        name="remedy-remove",
    ),
    path(
        "cases/<str:reference>/response-letter/", actions.response_letter, name="response-letter"
    ),
    path("cases/<str:reference>/letters/new/", actions.letter_start, name="letter-start"),
    path("cases/<str:reference>/letters/<int:pk>/", actions.letter_edit, name="letter-edit"),
    path(
        "cases/<str:reference>/letters/<int:pk>/redraft/",
        actions.letter_redraft,
        name="letter-redraft",
    ),
    path(
        "cases/<str:reference>/documents/<int:pk>/",
        files.document_download,
        name="document-download",
    ),
    path("cases/<str:reference>/<slug:slug>/", actions.case_action, name="case-action"),
]

# The Stage 2 and 3 pool's own pages.
urlpatterns += [
    path("pool/", pool.pool_list, name="pool-list"),
    path("pool/new/", pool.member_add, name="pool-add"),
    path("pool/capacity/", pool.capacity, name="pool-capacity"),
    path("pool/<int:pk>/", pool.member_detail, name="pool-member"),
    path("pool/<int:pk>/change/", pool.member_change, name="pool-member-change"),
    path("pool/<int:pk>/checks/new/", pool.check_add, name="pool-check-add"),
    path("pool/<int:pk>/remove/", pool.member_remove, name="pool-member-remove"),
]
