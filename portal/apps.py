import logging

from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal core"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        from portal import checks  # noqa: F401 - registers the deployment checks
        from portal.tenancy.connection import on_connection_created
        from portal.tenancy.roles import grant_app_role

        post_migrate.connect(grant_app_role, sender=self)
        connection_created.connect(on_connection_created)

        from django.conf import settings

        if settings.CELERY_TASK_ALWAYS_EAGER and not settings.REDIS_URL:
            logging.getLogger("portal").warning(
                "REDIS_URL is not set: Celery tasks run in-process (eager), beat does not run."
            )


class PortalAdminConfig(AdminConfig):
    """Django's admin with the channel team's site (portal.admin_site): same URLs, same
    ModelAdmins and permissions, a home page that starts with the review queues."""

    default_site = "portal.admin_site.PortalAdminSite"
