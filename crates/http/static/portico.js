// Small progressive enhancements; every page works without them.

// The reader's time zone: the server writes dates in it (it reads this cookie; without it,
// the company's zone).
(function () {
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (zone && /^[A-Za-z0-9_+\/-]+$/.test(zone) &&
        document.cookie.split("; ").indexOf("portico_tz=" + zone) < 0) {
      document.cookie = "portico_tz=" + zone + "; path=/; SameSite=Strict; max-age=31536000";
    }
  } catch (e) { /* an old browser: the company's zone it is */ }
})();

// A photo larger than the upload limit is refused at once, with the sentence the server would
// answer, instead of after a long upload over a shop floor's network.
(function () {
  var inputs = document.querySelectorAll("input[type=file][data-max-bytes]");
  Array.prototype.forEach.call(inputs, function (input) {
    input.addEventListener("change", function () {
      var max = Number(input.getAttribute("data-max-bytes"));
      var file = input.files && input.files[0];
      input.setCustomValidity(file && file.size > max ? input.getAttribute("data-too-large") : "");
      input.reportValidity();
    });
  });
})();

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
