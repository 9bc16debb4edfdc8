/* Model Card Commons: the review screen. The conflict form keeps its buttons disabled until every
   conflict has a choice (and, for "write it myself", some text), and shows the text box only for that
   choice. The "edit, then accept" box says how many conflicts are still marked in it. Without
   JavaScript the server refuses an incomplete resolution, or leftover markers, with the same
   explanation. The partial-acceptance form counts the changes ticked in the diff and asks for a note when
   the rest is declined; without JavaScript the server refuses the same mistakes. Each form is marked
   once its script has run, so browser tests wait for it. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-conflict-form]");
  if (form) {
    var buttons = form.querySelectorAll("[data-accept-resolved]");
    var status = form.querySelector("[data-conflict-status]");
    var conflicts = form.querySelectorAll("fieldset[data-conflict]");

    var update = function () {
      var open = 0;
      Array.prototype.forEach.call(conflicts, function (conflict) {
        var chosen = conflict.querySelector("input[type=radio]:checked");
        var manual = chosen && chosen.value === "manual";
        var box = conflict.querySelector("[data-manual-text]");
        box.hidden = !manual;
        var text = box.querySelector("textarea");
        if (!chosen || (manual && !text.value.trim())) open += 1;
      });
      Array.prototype.forEach.call(buttons, function (button) {
        button.disabled = open > 0;
      });
      status.textContent = open
        ? open + " conflict" + (open === 1 ? " still needs" : "s still need") + " a choice before you can accept."
        : "Every conflict has a choice: you can accept.";
    };

    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
    form.setAttribute("data-review-ready", "");
  }

  // Accepting part: the ticks live in the diff above the form (form="part-form"); say how many are
  // ticked, keep the button off until the choice makes sense, and ask for the note when declining.
  var part = document.getElementById("part-form");
  if (part) {
    var boxes = document.querySelectorAll("input[name=hunk][form=part-form]");
    var partButton = part.querySelector("button[type=submit]");
    var partNote = part.querySelector("textarea[name=note]");
    var partStatus = document.createElement("p");
    partStatus.className = "help";
    partStatus.setAttribute("aria-live", "polite");
    partButton.parentNode.insertBefore(partStatus, partButton);

    var tally = function () {
      var ticked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
      var declining = part.querySelector("input[name=remainder][value=declined]:checked") !== null;
      partNote.required = declining;
      partButton.disabled = ticked === 0 || ticked === boxes.length;
      partStatus.textContent = ticked === 0
        ? "Tick the changes to accept in the diff above."
        : ticked === boxes.length
          ? "Every change is ticked: accept the whole suggestion instead."
          : ticked + " of " + boxes.length + " changes ticked.";
    };
    Array.prototype.forEach.call(boxes, function (box) { box.addEventListener("change", tally); });
    part.addEventListener("change", tally);
    tally();
    part.setAttribute("data-review-ready", "");
  }

  // A conflict starts with a line of seven "<"; the server checks every kind of marker line.
  var CONFLICT_START = /^<{7}(?:[ \t]|$)/gm;

  Array.prototype.forEach.call(document.querySelectorAll("form[data-edit-form]"), function (edit) {
    var box = edit.querySelector("textarea[name=edited_text]");
    var said = edit.querySelector("[data-marker-status]");
    var count = function () {
      var marked = (box.value.match(CONFLICT_START) || []).length;
      said.textContent = marked
        ? marked + " conflict" + (marked === 1 ? " is" : "s are") + " still marked in the text: keep what you want and delete the marker lines."
        : "";
    };
    box.addEventListener("input", count);
    count();
    edit.setAttribute("data-review-ready", "");
  });
})();
