// Two drop zones in one form (the compare page): each .dropzone label fills the file input
// it points at with `for`, and shows a preview. app.js handles single-input forms only.
(function () {
  "use strict";

  function show(zone, input) {
    var file = input.files && input.files[0];
    if (!file || file.type.indexOf("image/") !== 0) { return; }
    var preview = zone.querySelector(".preview");
    if (preview) {
      preview.src = URL.createObjectURL(file);
      preview.hidden = false;
    }
    var hint = zone.querySelector(".drop-hint");
    if (hint) { hint.textContent = file.name; }
  }

  function wire(zone) {
    var input = document.getElementById(zone.htmlFor);
    if (!input || input.type !== "file") { return; }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (!e.dataTransfer || !e.dataTransfer.files.length) { return; }
      // Only the first file: each zone is one photo of the pair.
      var transfer = new DataTransfer();
      transfer.items.add(e.dataTransfer.files[0]);
      input.files = transfer.files;
      show(zone, input);
    });
    input.addEventListener("change", function () { show(zone, input); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-compare] .dropzone"), wire);
  });
})();
