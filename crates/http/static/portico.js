// Progressive enhancement for the template editor: while an administrator types, the preview
// next to the editor follows. Without this script the "Preview" button does the same.
(function () {
  var form = document.querySelector("form[data-live-preview]");
  if (!form) return;
  var pane = document.getElementById("preview");
  var timer = null;
  function refresh() {
    var data = new URLSearchParams(new FormData(form));
    data.set("action", "preview");
    fetch(form.getAttribute("data-live-preview"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    })
      .then(function (r) { return r.text(); })
      .then(function (html) { pane.innerHTML = html; });
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
})();
