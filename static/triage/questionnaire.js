// Conditional questions: show a question only while the answer it depends on
// is one of the values it names. Without JavaScript every question shows and
// the server ignores answers to questions whose condition does not hold.
(function () {
  "use strict";
  function chosen(form, name) {
    return Array.prototype.map.call(
      form.querySelectorAll('input[name="' + name + '"]:checked'),
      function (input) { return input.value; }
    );
  }
  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (block) {
      var values = block.getAttribute("data-show-if-values").split(" ");
      var inputs = form.querySelectorAll('input[name="' + block.getAttribute("data-show-if") + '"]');
      if (!inputs.length) { return; }  // the question it depends on is on an earlier page
      block.hidden = !chosen(form, block.getAttribute("data-show-if")).some(function (v) {
        return values.indexOf(v) !== -1;
      });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form.questionnaire").forEach(function (form) {
      form.addEventListener("change", function () { update(form); });
      update(form);
    });
  });
})();
