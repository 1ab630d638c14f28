from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from complaints.models import RomeoAction, RomeoCase, RomeoPerson

# --- Anti-Romeo enforcement register -------------------------------------------------------


class RomeoPersonInline(admin.TabularInline):
    model = RomeoPerson
    extra = 0
    raw_id_fields = ["case"]


@admin.register(RomeoAction)
class RomeoActionAdmin(SimpleHistoryAdmin):
    list_display = ["acted_on", "station", "action_type", "squad", "place", "hotspot"]
    list_filter = ["action_type", "station__district"]
    search_fields = ["squad", "place", "station__name", "case__fir_number"]
    list_select_related = ["station", "hotspot"]
    raw_id_fields = ["station", "hotspot", "recorded_by"]
    date_hierarchy = "acted_on"
    inlines = [RomeoPersonInline]


@admin.register(RomeoCase)
class RomeoCaseAdmin(SimpleHistoryAdmin):
    list_display = ["fir_number", "station", "cctns_number", "bns_sections"]
    list_filter = ["station__district"]
    search_fields = ["fir_number", "cctns_number"]
    list_select_related = ["station"]
    raw_id_fields = ["action", "station"]


@admin.register(RomeoPerson)
class RomeoPersonAdmin(admin.ModelAdmin):
    list_display = ["name", "outcome", "bnss_section", "case", "action"]
    list_filter = ["outcome", "bnss_section"]
    search_fields = ["name", "case__fir_number"]
    list_select_related = ["case", "action__station"]
    raw_id_fields = ["action", "case"]
