from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from stations.models import District, State, Station


@admin.register(State)
class StateAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_local", "headquarters"]
    search_fields = ["code", "name", "name_local"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_local", "kind", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["code", "name", "name_local"]
    list_select_related = ["state"]


@admin.register(Station)
class StationAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "name",
        "name_local",
        "district",
        "is_women_station",
        "has_shakti_centre",
        "is_active",
    ]
    list_filter = ["district__state", "district", "is_women_station", "has_shakti_centre"]
    search_fields = ["code", "name", "name_local"]
    list_select_related = ["district"]
