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

// Support without a page reload. Without JavaScript the same form posts and redirects back.
(function () {
  "use strict";
  document.querySelectorAll("form[data-support]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }
      event.preventDefault();
      var button = form.querySelector("button");
      var actionField = form.querySelector("input[name='action']");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error("refused"); }
        return response.json();
      }).then(function (data) {
        var label = form.querySelector("[data-support-label]");
        actionField.value = data.supported ? "remove" : "add";
        button.setAttribute("aria-pressed", data.supported ? "true" : "false");
        button.classList.toggle("utrecht-button--primary-action", !data.supported);
        button.classList.toggle("utrecht-button--secondary-action", data.supported);
        label.textContent = data.supported ? label.dataset.on : label.dataset.off;
        var scope = form.closest("[data-support-scope]");
        var count = scope && scope.querySelector("[data-support-count]");
        if (count) { count.textContent = data.count_text; }
        var hint = scope && scope.querySelector("[data-support-hint]");
        if (hint) { hint.textContent = data.supported ? hint.dataset.on : hint.dataset.off; }
        button.disabled = false;
      }).catch(function () {
        form.submit();  // let the server explain (a refusal page, a login page)
      });
    });
  });
}());

// Similar issues while typing the title. Without JavaScript they are shown as a step before publishing.
(function () {
  "use strict";
  var box = document.querySelector("[data-similar-live]");
  var title = document.querySelector("input[data-similar-source]");
  if (!box || !title || !window.fetch) { return; }
  var list = box.querySelector("[data-similar-list]");
  var inner = box.querySelector("[data-similar-box]");
  var timer = null;
  var last = "";
  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = title.value.trim();
      if (q.length < 4 || q === last) { return; }
      last = q;
      fetch(box.dataset.url + "?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          list.textContent = "";
          data.items.forEach(function (item) {
            var li = document.createElement("li");
            var a = document.createElement("a");
            a.href = item.url;
            a.className = "utrecht-link";
            a.textContent = item.title;
            li.appendChild(a);
            list.appendChild(li);
          });
          inner.hidden = data.items.length === 0;
        }).catch(function () { inner.hidden = true; });
    }, 400);
  });
}());
