from django.contrib import admin

from people.models import Citizen, Tag


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    list_display = ["name", "masked_phone", "district", "station", "consent_source", "opted_out_at"]
    list_filter = ["consent_source", "opt_out_source", "preferred_language", "district"]
    search_fields = ["name", "phone", "locality"]
    autocomplete_fields = ["district", "station", "tags"]
    list_select_related = ["district", "station"]
    readonly_fields = ["created_at", "updated_at"]
