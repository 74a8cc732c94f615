"""Load the demo data of SPEC §5. Idempotent: running it again restores the same state.

Each app that has demo data provides ``<app>/demo.py`` with a ``seed(stdout)`` function;
they run in INSTALLED_APPS order, which is the dependency order (partners before deals,
licensing before billing, ...), so portal core names no app above it. Then each app's
``<app>/demo_history.py``, if any, runs its ``seed_history(stdout)``: the past (quarters
evaluated) is made once every app's present data is in place.
"""

from importlib import import_module

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from portal.management.base import SystemCommand

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - published in the README for the demo accounts


class Command(SystemCommand):
    help = "Load the demo programme, partners and accounts (password: demo-pass-2026)."

    def handle(self, *args, **options):
        configs = apps.get_app_configs()
        for app_config in configs:
            if module_has_submodule(app_config.module, "demo"):
                module = import_module(f"{app_config.name}.demo")
                module.seed(stdout=self.stdout, password=DEMO_PASSWORD)
        for app_config in configs:
            if module_has_submodule(app_config.module, "demo_history"):
                import_module(f"{app_config.name}.demo_history").seed_history(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
