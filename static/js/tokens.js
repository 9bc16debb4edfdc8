/* Model Card Commons: token inputs. An <input data-tokens> holding comma-separated values (what the
   server reads, and what people without JavaScript type) becomes a list of removable tokens and a
   box to add more: Enter or a comma adds, Backspace in the empty box removes the last one. */
(function () {
  "use strict";

  function split(value) {
    return value
      .split(",")
      .map(function (item) {
        return item.trim();
      })
      .filter(Boolean);
  }

  function enhance(input) {
    var wrapper = document.createElement("div");
    wrapper.className = "tokens";
    var list = document.createElement("ul");
    list.className = "token-list";
    var entry = document.createElement("input");
    entry.type = "text";
    entry.className = "token-entry";
    entry.id = input.id + "-entry";
    entry.autocomplete = "off";
    entry.spellcheck = false;
    if (input.hasAttribute("aria-describedby")) {
      entry.setAttribute("aria-describedby", input.getAttribute("aria-describedby"));
    }
    // The field's label now names the box people type in; the real input keeps the value.
    var label = document.querySelector('label[for="' + input.id + '"]');
    if (label) label.htmlFor = entry.id;
    input.type = "hidden";
    wrapper.appendChild(list);
    wrapper.appendChild(entry);
    input.parentNode.insertBefore(wrapper, input.nextSibling);

    function write(items) {
      input.value = items.join(", ");
      input.dispatchEvent(new Event("input", { bubbles: true }));
      draw();
    }

    function draw() {
      list.textContent = "";
      split(input.value).forEach(function (value, index) {
        var item = document.createElement("li");
        item.className = "token";
        var text = document.createElement("span");
        text.textContent = value;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "token-remove";
        remove.textContent = "×";
        remove.setAttribute("aria-label", "Remove " + value);
        remove.addEventListener("click", function () {
          var items = split(input.value);
          items.splice(index, 1);
          write(items);
          entry.focus();
        });
        item.appendChild(text);
        item.appendChild(remove);
        list.appendChild(item);
      });
    }

    function commit() {
      var typed = split(entry.value);
      if (!typed.length) return false;
      var items = split(input.value);
      typed.forEach(function (value) {
        if (items.indexOf(value) < 0) items.push(value);
      });
      entry.value = "";
      write(items);
      return true;
    }

    entry.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === ",") {
        event.preventDefault(); // never submit the form from here
        commit();
      } else if (event.key === "Backspace" && !entry.value) {
        var items = split(input.value);
        if (items.length) {
          items.pop();
          write(items);
        }
      }
    });
    entry.addEventListener("blur", commit);
    // Half-typed text is not an edit yet: only committed tokens change the form.
    entry.addEventListener("input", function (event) {
      event.stopPropagation();
    });
    input.addEventListener("tokens:refresh", draw);
    draw();
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-tokens]"), enhance);
})();
