"""The licensing app's API routes; each area keeps its own list in licensing/api/<area>.py."""

from licensing.api import activation, binding, catalogue, evaluation, licences, nfr, trials

# nfr first: "licences/nfr" must not be read as a licence id by a "licences/<id>" route.
urlpatterns: list = [
    *nfr.urlpatterns,
    *catalogue.urlpatterns,
    *licences.urlpatterns,
    *activation.urlpatterns,
    *trials.urlpatterns,
    *evaluation.urlpatterns,
    *binding.urlpatterns,
]
