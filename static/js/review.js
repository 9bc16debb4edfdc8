/* Model Card Commons: the review screen's conflict editor. Accept stays disabled until every conflict
   has a choice (and, for "write it myself", some text), and the text box shows only for that choice.
   Without JavaScript the server refuses an incomplete resolution with the same explanation. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-conflict-form]");
  if (!form) return;
  var accept = form.querySelector("[data-accept-resolved]");
  var status = form.querySelector("[data-conflict-status]");
  var conflicts = form.querySelectorAll("fieldset[data-conflict]");

  function update() {
    var open = 0;
    Array.prototype.forEach.call(conflicts, function (conflict) {
      var chosen = conflict.querySelector("input[type=radio]:checked");
      var manual = chosen && chosen.value === "manual";
      var box = conflict.querySelector("[data-manual-text]");
      box.hidden = !manual;
      var text = box.querySelector("textarea");
      if (!chosen || (manual && !text.value.trim())) open += 1;
    });
    accept.disabled = open > 0;
    status.textContent = open
      ? open + " conflict" + (open === 1 ? " still needs" : "s still need") + " a choice before you can accept."
      : "Every conflict has a choice: you can accept.";
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
