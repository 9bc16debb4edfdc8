/* Model Card Commons: keeps what people type in an editor in this tab's sessionStorage until the
   site confirms it was saved, so a failed submission (a validation error, a rate limit, an expired
   session) never loses it. Loaded on every page: the page after a successful submission is where
   the draft is let go. No dependencies. */
(function () {
  "use strict";

  var PREFIX = "mcc-draft:";
  var SUBMITTED = "mcc-draft-submitted";

  function store() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null; // storage disabled: the editor still works, it just cannot keep drafts
    }
  }

  function attempt(action) {
    var storage = store();
    if (!storage) return null;
    try {
      return action(storage);
    } catch (error) {
      return null; // quota exceeded or storage refused: keeping a draft is best effort
    }
  }

  var drafts = {
    key: function () {
      return PREFIX + window.location.pathname + window.location.search;
    },
    save: function (key, snapshot) {
      attempt(function (storage) {
        storage.setItem(key, JSON.stringify(snapshot));
      });
    },
    load: function (key) {
      var raw = attempt(function (storage) {
        return storage.getItem(key);
      });
      if (!raw) return null;
      try {
        return JSON.parse(raw);
      } catch (error) {
        return null;
      }
    },
    clear: function (key) {
      attempt(function (storage) {
        storage.removeItem(key);
      });
    },
    markSubmitted: function (key) {
      attempt(function (storage) {
        storage.setItem(SUBMITTED, key);
      });
    }
  };
  window.MCCDrafts = drafts;

  // A submission that worked lands on another page that says so (saved, or held for a moderator).
  // Anything else (the editor again with errors, a refusal page) keeps the draft for the next visit.
  var submitted = attempt(function (storage) {
    return storage.getItem(SUBMITTED);
  });
  if (submitted) {
    var onEditor = document.querySelector("form[data-editor]");
    if (!onEditor && document.querySelector(".message-success, .message-warning")) {
      drafts.clear(submitted);
    }
    attempt(function (storage) {
      storage.removeItem(SUBMITTED);
    });
  }
})();
