"""Tenancy: every partner-owned row belongs to one Organisation (the tenant).

Two walls keep tenants apart:

1. Application scoping: tenant-owned models inherit ``TenantOwnedModel``; their rows are
   reached only through ``for_tenant()`` / ``get_for_tenant_or_404()`` and the DRF
   ``TenantViewSet`` whose filter subclasses cannot override.
2. PostgreSQL row-level security: every tenant table has ENABLE + FORCE ROW LEVEL SECURITY
   and a policy on transaction-local settings (``app.tenant_id``, ``app.bypass``), and every
   request, task and command runs its queries as an unprivileged role inside a named
   context (``tenant_context``, ``system_context``, ``public_context``).
"""
