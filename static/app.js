// Drag-and-drop for upload forms: a dropped file fills the form's file input and shows a preview.
(function () {
  "use strict";

  function showFiles(zone, input) {
    var preview = zone.querySelector(".preview");
    var list = zone.querySelector(".file-list");
    var files = input.files;
    if (preview && files.length && files[0].type.indexOf("image/") === 0) {
      preview.src = URL.createObjectURL(files[0]);
      preview.hidden = false;
      zone.querySelector(".drop-hint").textContent = files[0].name;
    }
    if (list) {
      list.textContent = Array.prototype.map.call(files, function (f) { return f.name; }).join(", ");
    }
  }

  function wire(form) {
    var zone = form.querySelector(".dropzone");
    var input = form.querySelector("input[type=file]");
    if (!zone || !input) { return; }
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("over"); });
    });
    zone.addEventListener("drop", function (e) {
      if (!e.dataTransfer || !e.dataTransfer.files.length) { return; }
      input.files = e.dataTransfer.files;
      showFiles(zone, input);
    });
    input.addEventListener("change", function () { showFiles(zone, input); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-dropzone]"), wire);
  });
})();
