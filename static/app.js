// Drag-and-drop for upload forms: each .dropzone label in a form[data-dropzone] fills the file
// input it names with `for` (one file unless the input takes several) and shows a preview.
(function () {
  "use strict";

  function show(zone, input) {
    var files = input.files;
    var preview = zone.querySelector(".preview");
    var hint = zone.querySelector(".drop-hint");
    var list = zone.querySelector(".file-list");
    if (preview && files.length && files[0].type.indexOf("image/") === 0) {
      preview.src = URL.createObjectURL(files[0]);
      preview.hidden = false;
    }
    if (hint && files.length === 1) { hint.textContent = files[0].name; }
    if (list) {
      list.textContent = Array.prototype.map.call(files, function (f) { return f.name; }).join(", ");
    }
  }

  function keep(input, dropped) {
    // A single-photo input keeps only the first dropped file.
    if (input.multiple || dropped.length === 1) { return dropped; }
    var transfer = new DataTransfer();
    transfer.items.add(dropped[0]);
    return transfer.files;
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
      input.files = keep(input, e.dataTransfer.files);
      show(zone, input);
    });
    input.addEventListener("change", function () { show(zone, input); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-dropzone] .dropzone"), wire);
  });
})();

// "Copy text" on the result page: copies the read text from the textarea the button names.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("button[data-copy]"), function (button) {
      button.addEventListener("click", function () {
        var area = document.getElementById(button.getAttribute("data-copy"));
        if (!area) { return; }
        var done = function () { button.textContent = "Copied"; };
        if (navigator.clipboard) {
          navigator.clipboard.writeText(area.value).then(done, function () { area.select(); });
        } else {
          area.select();
          document.execCommand("copy");
          done();
        }
      });
    });
  });
})();

// form[data-confirm]: ask before an action that cannot be undone (without JS the form just sends).
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var question = e.target.getAttribute && e.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { e.preventDefault(); }
  });
})();
