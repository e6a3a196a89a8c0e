// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Move focus to the error summary so screen reader and keyboard users hear it first.
  var summary = document.querySelector("[data-error-summary]");
  if (summary) { summary.focus(); }

  // Registration: show the organisation questions only to people who choose "partner".
  var partnerFields = document.querySelector("[data-partner-fields]");
  if (partnerFields) {
    var radios = document.querySelectorAll("input[name='role']");
    var update = function () {
      var checked = document.querySelector("input[name='role']:checked");
      partnerFields.hidden = !checked || checked.value !== "partner";
    };
    radios.forEach(function (radio) { radio.addEventListener("change", update); });
    update();
  }
}());
