// The dashboard's period form: show only the fields the chosen kind of
// period uses (a month: year and month; a quarter: year and quarter; a year:
// the year; custom: from and to). Without JavaScript every field stays
// visible and the server ignores the ones that do not apply.
(function () {
  "use strict";
  var FIELDS = {
    month: ["year", "month"],
    quarter: ["year", "quarter"],
    year: ["year"],
    custom: ["start", "end"]
  };
  document.addEventListener("DOMContentLoaded", function () {
    var kind = document.getElementById("id_kind");
    if (!kind) { return; }
    var form = kind.form;
    function update() {
      var shown = FIELDS[kind.value] || [];
      ["year", "month", "quarter", "start", "end"].forEach(function (name) {
        var label = form.querySelector('label[data-field="' + name + '"]');
        if (label) { label.hidden = shown.indexOf(name) === -1; }
      });
    }
    kind.addEventListener("change", update);
    update();
  });
})();
