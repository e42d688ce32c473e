from django.apps import AppConfig


class ActionPlansConfig(AppConfig):
    name = "action_plans"
