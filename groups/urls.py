from django.urls import path

from groups.views import groups, members, public, register

app_name = "groups"
urlpatterns = [
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/<int:pk>/", groups.group_detail, name="group_detail"),
    path("groups/<int:pk>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<int:pk>/vetting/", groups.vetting_queue, name="vetting_queue"),
    path("groups/<int:pk>/nominate/", groups.nomination_create, name="nomination_create"),
    path("groups/<int:pk>/roster/", groups.roster, name="roster"),
    path("groups/<int:pk>/roster.<str:fmt>", groups.roster_export, name="roster_export"),
    path("groups/<int:pk>/conduct/", groups.conduct_log, name="conduct_log"),
    path("groups/nominators/", groups.nominators, name="nominators"),
    path("groups/nominations/<int:pk>/", groups.nomination_detail, name="nomination_detail"),
    path(
        "groups/nominations/<int:pk>/approve/",
        groups.nomination_approve,
        name="nomination_approve",
    ),
    path("groups/nominations/<int:pk>/reject/", groups.nomination_reject, name="nomination_reject"),
    path(
        "groups/nominations/<int:pk>/override/",
        groups.nomination_override,
        name="nomination_override",
    ),
    path("groups/members/<int:pk>/", members.membership_detail, name="membership_detail"),
    path("groups/members/<int:pk>/incidents/", members.incident_create, name="incident_create"),
    path("groups/members/<int:pk>/remove/", members.membership_remove, name="membership_remove"),
    path("groups/members/<int:pk>/left/", members.membership_left, name="membership_left"),
    path("groups/members/<int:pk>/invite/", members.membership_invite, name="membership_invite"),
    path("groups/members/<int:pk>/revet/", members.membership_revet, name="membership_revet"),
    path("groups/register/", register.register_list, name="register_list"),
    path("groups/register/new/", register.register_create, name="register_create"),
    path("groups/register/<int:pk>/", register.register_detail, name="register_detail"),
    path("groups/register/<int:pk>/edit/", register.register_edit, name="register_edit"),
    path(
        "groups/register/<int:pk>/withdraw/",
        register.register_withdraw,
        name="register_withdraw",
    ),
    path("join/<uuid:token>/", public.apply, name="apply"),
    path("join/<uuid:token>/thanks/", public.apply_done, name="apply_done"),
]
