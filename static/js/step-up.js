/* Thana Connect: after the second factor, send again the form it interrupted (once). No inline JS. */
(function () {
  "use strict";
  function resume() {
    var form = document.querySelector("form[data-step-up-resume]");
    if (form && !form.dataset.sent) {
      form.dataset.sent = "1";
      form.submit();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", resume);
  } else {
    resume();
  }
})();
