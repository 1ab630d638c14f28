/* Thana Connect, community groups: copy a ready warning text to the clipboard. No inline JS. */
(function () {
  "use strict";
  function copy(button) {
    var target = document.getElementById(button.getAttribute("data-copy-target"));
    if (!target || !navigator.clipboard) { return; }
    navigator.clipboard.writeText(target.textContent.trim()).then(function () {
      var label = button.getAttribute("data-copied-label");
      if (label) { button.textContent = label; }
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (button) { copy(button); }
  });
})();
