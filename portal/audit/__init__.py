"""The audit trail (SPEC §3.13): one append-only record per state change.

Services write the records themselves (``portal.audit.services.audit_record``), in the
transaction of the change they describe, with a semantic action and a summary a person
can read; see the README's "Audit trail" section for why this and not database triggers.
"""
