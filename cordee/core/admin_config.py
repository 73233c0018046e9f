from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class CordeeAdminConfig(AdminConfig):
    """django.contrib.admin, serving the site that names every section in French."""

    default_site = "cordee.core.admin_site.CordeeAdminSite"
