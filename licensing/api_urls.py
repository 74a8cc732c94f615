"""The licensing app's API routes; each area keeps its own list in licensing/api/<area>.py."""

from licensing.api import activation, binding, evaluation, nfr, trials

# nfr first: "licences/nfr" must not be read as a licence id by a "licences/<id>" route.
urlpatterns: list = [
    *nfr.urlpatterns,
    *activation.urlpatterns,
    *trials.urlpatterns,
    *evaluation.urlpatterns,
    *binding.urlpatterns,
]
