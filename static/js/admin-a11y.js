// Accessibility fixes for the Django admin (templates/admin/base_site.html loads this; CSP: no inline scripts).
//
// The two-list topic picker (filter_horizontal, admin/js/SelectFilter2.js) puts an aria-label on a bare <span>,
// which has no role that allows one (axe: aria-prohibited-attr), so the hint is not read. As an image with that
// name it is allowed and read. SelectFilter2 builds the picker on "load", before this listener runs.
"use strict";
window.addEventListener("load", function () {
  document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (span) {
    span.setAttribute("role", "img");
  });
});
