// Accessibility fixes for the Django admin (templates/admin/base_site.html loads this; CSP: no inline scripts).
// Each was found by axe-core in tests/browser/test_admin_editor_pages.py or test_admin_pages_of_the_url_table.py.
"use strict";
window.addEventListener("load", function () {
  // The two-list topic picker (filter_horizontal, admin/js/SelectFilter2.js) puts an aria-label on a bare <span>,
  // which has no role that allows one (axe: aria-prohibited-attr), so the hint is not read. As an image with that
  // name it is allowed and read. SelectFilter2 builds the picker on "load", before this listener runs.
  document.querySelectorAll("span.help-tooltip[aria-label]:not([role])").forEach(function (span) {
    span.setAttribute("role", "img");
  });

  // A table of inline rows (a device's recovery codes) starts with an empty heading over the column that names each
  // saved row (axe: empty-table-header): it is given words a screen reader reads.
  document.querySelectorAll("th.original:empty").forEach(function (heading) {
    var words = document.createElement("span");
    words.className = "visually-hidden";
    words.textContent = "Saved item";
    heading.appendChild(words);
  });
});

// A search-as-you-type box (autocomplete_fields: a translation's article) is select2's combobox beside a hidden
// <select>; the box had no name (axe: aria-input-field-name). It takes the <select>'s label, without its colon.
// select2 builds the boxes in a jQuery "ready" callback of admin/js/autocomplete.js, which jQuery may run after
// "load"; this one is queued after it (this script is deferred), so the boxes are named in the same task they appear.
function nameAutocompleteBoxes() {
  document.querySelectorAll("select.admin-autocomplete[id]").forEach(function (select) {
    var label = document.querySelector('label[for="' + select.id + '"]');
    var box = select.nextElementSibling;
    if (!label || !box || !box.classList.contains("select2")) return;
    var name = label.textContent.replace(/:\s*$/, "").trim();
    box.querySelectorAll(".select2-selection, .select2-selection__rendered").forEach(function (part) {
      part.setAttribute("aria-label", name);
    });
  });
}
if (window.django && window.django.jQuery) {
  window.django.jQuery(nameAutocompleteBoxes);
}
