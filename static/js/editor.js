/* Model Card Commons: the card editor. On top of a form that works without JavaScript it adds a
   live preview (the server renders it through the same sanitiser as published cards), switching
   between guided and raw mode without a reload, the section checklist's insert buttons, the
   licence name/link fields only when they apply, and draft keeping with a warning before leaving. */
(function () {
  "use strict";

  var form = document.querySelector("form[data-editor]");
  if (!form) return;

  var PREVIEW_DELAY_MS = 400;
  var NOT_KEPT = { csrfmiddlewaretoken: true, website: true };
  var drafts = window.MCCDrafts;
  var draftKey = drafts ? drafts.key() : null;
  var modeInput = form.querySelector("[data-editor-mode]");
  var rawText = form.elements.namedItem("text");
  var bodyText = form.elements.namedItem("meta-body");
  var previewBox = form.querySelector("[data-preview]");
  var previewMetadata = form.querySelector("[data-preview-metadata]");
  var previewStatus = form.querySelector("[data-preview-status]");
  var liveProblems = form.querySelector("[data-live-problems]");
  var draftNotice = form.querySelector("[data-draft-notice]");
  var licenceInput = form.elements.namedItem("meta-license");

  // --- Form state ------------------------------------------------------------------------------

  function snapshot() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || NOT_KEPT[element.name]) return;
      if (element.type === "submit" || element.type === "button") return;
      values[element.name] = element.value;
    });
    return values;
  }

  function restore(values) {
    Object.keys(values).forEach(function (name) {
      var element = form.elements.namedItem(name);
      if (element && typeof element.value === "string" && !NOT_KEPT[name]) {
        element.value = values[name];
        element.dispatchEvent(new Event("tokens:refresh"));
      }
    });
    showMode(modeInput.value);
    toggleLicenceOther();
  }

  var initial = snapshot();
  var initialJson = JSON.stringify(initial);
  // A page the server sent back after a post (problems to fix, a preview) holds unsaved typing.
  var fresh = form.hasAttribute("data-fresh");
  var dirty = !fresh;
  var submitting = false;

  function remember() {
    if (drafts) drafts.save(draftKey, snapshot());
  }

  // --- Modes -------------------------------------------------------------------------------------

  function showMode(mode) {
    modeInput.value = mode;
    Array.prototype.forEach.call(form.querySelectorAll("[data-mode-panel]"), function (panel) {
      panel.hidden = panel.getAttribute("data-mode-panel") !== mode;
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-switch-mode]"), function (button) {
      button.setAttribute("aria-pressed", button.getAttribute("data-switch-mode") === mode ? "true" : "false");
    });
  }

  function fillGuided(values) {
    Object.keys(values).forEach(function (key) {
      var element = form.elements.namedItem("meta-" + key);
      if (!element) return;
      if (element.tagName === "SELECT" && values[key] && !element.querySelector('option[value="' + CSS.escape(values[key]) + '"]')) {
        var option = document.createElement("option");
        option.value = values[key];
        option.textContent = values[key] + " (not a Hub task)";
        element.appendChild(option);
      }
      element.value = values[key];
      element.dispatchEvent(new Event("tokens:refresh"));
    });
    toggleLicenceOther();
  }

  function switchTo(mode) {
    if (mode === modeInput.value) return;
    setStatus("Switching…");
    requestPreview()
      .then(function (data) {
        if (mode === "guided") {
          if (!data.guided) {
            setStatus("The metadata cannot be read as YAML, so this card can only be edited in raw mode.");
            return;
          }
          fillGuided(data.guided);
        } else {
          rawText.value = data.text;
        }
        showMode(mode);
        show(data);
        remember();
      })
      .catch(function (error) {
        setStatus(error.message);
      });
  }

  Array.prototype.forEach.call(form.querySelectorAll("[data-switch-mode]"), function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      switchTo(button.getAttribute("data-switch-mode"));
    });
  });

  // --- Live preview ------------------------------------------------------------------------------

  var timer = null;
  var sequence = 0;

  function setStatus(text) {
    if (previewStatus) previewStatus.textContent = text;
  }

  function requestPreview() {
    var url = form.getAttribute("data-preview-url");
    return fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          throw new Error("The preview is not available just now; your text is safe, and the Preview button still works.");
        })
        .then(function (data) {
          if (!response.ok) throw new Error(data.error || "The preview is not available just now.");
          return data;
        });
    });
  }

  function refresh() {
    var mine = ++sequence;
    setStatus("Updating the preview…");
    requestPreview()
      .then(function (data) {
        if (mine === sequence) show(data);
      })
      .catch(function (error) {
        if (mine === sequence) setStatus(error.message);
      });
  }

  function schedule() {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, PREVIEW_DELAY_MS);
  }

  function show(data) {
    if (data.html) {
      // Sanitised on the server by the same renderer as published cards.
      previewBox.innerHTML = data.html;
    } else {
      previewBox.textContent = "";
      var note = document.createElement("p");
      note.className = "muted";
      note.textContent = "This text cannot be shown yet; see the problems listed with the editor.";
      previewBox.appendChild(note);
    }
    var errors = data.problems.filter(function (problem) {
      return problem.severity === "error";
    }).length;
    setStatus(
      errors
        ? "Preview updated. " + errors + " problem" + (errors === 1 ? "" : "s") + " to fix before submitting."
        : "Preview updated."
    );
    if (previewMetadata && data.metadata_html) {
      // Rendered on the server by the same escaping template as review pages' metadata changes.
      previewMetadata.innerHTML = data.metadata_html;
    }
    showProblems(data.problems);
    showChecklist(data.checklist || []);
  }

  function problemItem(text, severity) {
    var item = document.createElement("li");
    item.className = "problem-" + severity;
    item.textContent = (severity === "error" ? "" : "Warning: ") + text;
    return item;
  }

  function showProblems(problems) {
    var guided = modeInput.value === "guided";
    var lists = {};
    Array.prototype.forEach.call(form.querySelectorAll("[data-field-problems]"), function (list) {
      var name = list.getAttribute("data-field-problems");
      if (name === "summary" || name === "slug" || name === "author_name" || name === "website") return;
      list.textContent = "";
      lists[name] = list;
    });
    liveProblems.textContent = "";
    problems.forEach(function (problem) {
      var list = guided ? lists[problem.field] : lists.text;
      if (list && list.closest("[data-mode-panel]") && !list.closest("[data-mode-panel]").hidden) {
        list.appendChild(problemItem(guided ? problem.message : problem.text, problem.severity));
      } else {
        liveProblems.appendChild(problemItem(problem.text, problem.severity));
      }
    });
    Object.keys(lists).forEach(function (name) {
      var list = lists[name];
      list.hidden = !list.children.length;
      var field = list.closest(".field");
      if (field) field.classList.toggle("has-errors", list.children.length > 0);
      var control = form.elements.namedItem(name === "text" ? "text" : "meta-" + name);
      if (control && control.setAttribute) {
        if (list.children.length) control.setAttribute("aria-invalid", "true");
        else control.removeAttribute("aria-invalid");
      }
    });
    liveProblems.hidden = !liveProblems.children.length;
  }

  function showChecklist(items) {
    var count = form.querySelector("[data-checklist-count]");
    if (count && items.length) {
      var missing = items.filter(function (item) {
        return item.status !== "done";
      }).length;
      count.textContent = missing
        ? missing + " section" + (missing === 1 ? "" : "s") + " missing or empty"
        : "Every recommended section is written";
    }
    items.forEach(function (item) {
      var row = form.querySelector('[data-check="' + item.key + '"]');
      if (!row) return;
      row.className = "check check-" + item.status;
      row.querySelector("[data-check-status]").textContent = item.label;
      row.querySelector("[data-insert-section]").hidden = item.status !== "missing";
    });
  }

  // --- The checklist's insert buttons ------------------------------------------------------------

  Array.prototype.forEach.call(form.querySelectorAll("[data-insert-section]"), function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      var target = modeInput.value === "guided" && bodyText ? bodyText : rawText;
      var text = target.value;
      if (text && !/\n$/.test(text)) text += "\n";
      if (text && !/\n\n$/.test(text)) text += "\n";
      var hint = "<!-- " + button.getAttribute("data-hint") + " -->";
      target.value = text + "## " + button.getAttribute("data-heading") + "\n\n" + hint + "\n";
      target.focus();
      // Select the hint, so what is typed next replaces it.
      target.setSelectionRange(target.value.length - hint.length - 1, target.value.length - 1);
      target.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });

  // --- Licence name and link only matter for "other" ----------------------------------------------

  function toggleLicenceOther() {
    if (!licenceInput) return;
    var other = licenceInput.value.trim() === "other";
    Array.prototype.forEach.call(form.querySelectorAll("[data-licence-other]"), function (input) {
      var field = input.closest(".field");
      if (field) field.hidden = !other && !input.value;
    });
  }
  if (licenceInput) licenceInput.addEventListener("input", toggleLicenceOther);
  toggleLicenceOther();

  // --- The plain-language summary: its length and a readability hint ------------------------------
  // The same figures as modelcards/readability.py gives the page without JavaScript: characters,
  // words per sentence, the share of words of 7+ letters, and LIX (the two added). A hint only.

  var summaryInput = form.elements.namedItem("meta-plain_summary");
  var summaryHint = form.querySelector("[data-summary-hint]");
  var WORD = /[\p{L}\p{N}]+(?:['\u2019-][\p{L}\p{N}]+)*/gu;
  var HAS_WORD = /[\p{L}\p{N}]/u;
  var SENTENCE_END = /[.!?\u2026]+(?=\s|$)|[\u3002\uff01\uff1f]+|\n[ \t]*\n/u;
  var LIX_BANDS = [[30, "very easy"], [40, "easy"], [50, "medium"], [60, "hard"]];

  function halfUp(value) {
    return Math.floor(value + 0.5);
  }

  function summaryFigures(text, limit) {
    text = text.replace(/\r\n?/g, "\n").trim();
    var characters = Array.from(text).length;
    var words = text.match(WORD) || [];
    var parts = [characters + " of " + limit + " characters" + (characters > limit ? ": " + (characters - limit) + " too many" : "")];
    if (words.length) {
      var sentences = Math.max(1, text.split(SENTENCE_END).filter(function (part) { return HAS_WORD.test(part); }).length);
      var long = words.filter(function (word) { return Array.from(word).length >= 7; }).length;
      var lix = halfUp(words.length / sentences + (100 * long) / words.length);
      var band = "very hard";
      for (var i = 0; i < LIX_BANDS.length; i++) {
        if (lix < LIX_BANDS[i][0]) { band = LIX_BANDS[i][1]; break; }
      }
      var each = halfUp(words.length / sentences);
      parts.push((sentences === 1 ? "1 sentence" : sentences + " sentences") + ", " + each + (each === 1 ? " word" : " words") + " each on average");
      parts.push(halfUp((100 * long) / words.length) + "% long words (7+ letters)");
      parts.push("readability (LIX) " + lix + ": " + band);
    }
    return { text: parts.join(" \u00b7 "), over: characters > limit };
  }

  function showSummaryHint() {
    var limit = parseInt(summaryInput.getAttribute("data-summary-limit"), 10);
    var figures = summaryFigures(summaryInput.value, limit);
    summaryHint.textContent = figures.text;
    summaryHint.classList.toggle("over-limit", figures.over);
  }

  if (summaryInput && summaryHint) {
    summaryInput.addEventListener("input", showSummaryHint);
    summaryInput.addEventListener("tokens:refresh", showSummaryHint);  // filled by a mode switch or draft
    showSummaryHint();
  }

  // --- Drafts and leaving the page ----------------------------------------------------------------

  form.addEventListener("input", function (event) {
    dirty = JSON.stringify(snapshot()) !== initialJson || !fresh;
    remember();
    // The summary and name do not change the card, so typing them needs no new preview.
    if (event.target.closest && event.target.closest(".editor-main")) schedule();
  });

  form.addEventListener("submit", function (event) {
    submitting = true;
    remember();
    if (drafts && event.submitter && event.submitter.hasAttribute("data-final-submit")) {
      drafts.markSubmitted(draftKey);
    }
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  if (drafts) {
    var saved = fresh ? drafts.load(draftKey) : null;
    if (saved && JSON.stringify(saved) !== initialJson) {
      restore(saved);
      dirty = true;
      draftNotice.hidden = false;
      refresh();
    } else {
      remember();
    }
    form.querySelector("[data-draft-discard]").addEventListener("click", function () {
      restore(initial);
      drafts.clear(draftKey);
      dirty = false;
      draftNotice.hidden = true;
      refresh();
    });
  }

  // Coming back with the browser's Back button shows the page as it was left: allow leaving again.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) submitting = false;
  });

  // Typing before this script ran gets no live preview; whoever drives the page can wait for this.
  form.setAttribute("data-editor-ready", "");
})();
