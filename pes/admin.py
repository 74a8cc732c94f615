from pes import admin_evaluations  # noqa: F401 - registers the evaluation admin
