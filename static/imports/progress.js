// Progress of an employee import: poll the run's progress URL every second
// and reload the page when the worker is done, so the plan or the result
// shows. Without JavaScript the page asks to be refreshed by hand.
(function () {
  "use strict";
  function poll(box) {
    var url = box.getAttribute("data-import-progress");
    var bar = box.querySelector("progress");
    var text = box.querySelector(".import-progress-text");
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data) { window.setTimeout(function () { poll(box); }, 3000); return; }
        if (!data.busy) { window.location.reload(); return; }
        if (data.percent !== null) { bar.value = data.percent; } else { bar.removeAttribute("value"); }
        var label = data.status_label;
        if (data.phase === "plan" && data.total) { label += " — " + data.done + " / " + data.total; }
        text.textContent = label + "…";
        window.setTimeout(function () { poll(box); }, 1000);
      })
      .catch(function () { window.setTimeout(function () { poll(box); }, 3000); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-import-progress]").forEach(poll);
  });
})();
