// Drop-down list filters of the admin (portal/admin_filters.py): each option's value is
// the list's address with that filter applied.
(function () {
  "use strict";
  if (window.portalDropdownFilters) {
    return;
  }
  window.portalDropdownFilters = true;
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.matches && select.matches("select[data-portal-filter]")) {
      window.location.href = select.value;
    }
  });
})();
