from django.apps import AppConfig


class PesConfig(AppConfig):
    name = "pes"
    verbose_name = "Engagement (PES)"
