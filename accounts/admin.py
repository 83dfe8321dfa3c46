from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from accounts.models import Holiday, Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "country"]


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ["organisation", "date", "name"]
    list_filter = ["organisation"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "role", "organisation", "is_active", "last_login"]
    list_filter = ["role", "organisation", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (
            "Homeward",
            {
                "fields": [
                    "role",
                    "organisation",
                    "liaison_countries",
                    "access_expires_on",
                    "language",
                ]
            },
        ),
    ]
