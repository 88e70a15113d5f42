// Download the recovery codes shown on the page as a text file. The codes
// exist only in this page (nothing stores them in plain text), so the file is
// made here, in the browser. Without JavaScript the button stays hidden and
// the codes can be copied from the page.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var button = document.getElementById("recovery-codes-download");
    var codes = document.getElementById("recovery-codes");
    if (!button || !codes) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = "Hervat\n\n" + codes.textContent.trim() + "\n";
      var url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
      var link = document.createElement("a");
      link.href = url;
      link.download = button.getAttribute("data-filename");
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    });
  });
})();
