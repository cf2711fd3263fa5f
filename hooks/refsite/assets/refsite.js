/* refsite: hover cards for citations and glossary terms, copy buttons.
 * Event delegation on the document, so it keeps working after Material's instant navigation
 * swaps the page content. No framework, no title attributes. */
(function () {
  "use strict";
  if (window.__refsite) return;
  window.__refsite = true;

  var card = null, owner = null, hideTimer = null, pinned = false, returning = false;
  var SELECTOR = "a.refsite-cite__ref[data-key], a.refsite-term[data-term-slug]";

  function ensureCard() {
    if (card && document.body.contains(card)) return card;
    card = document.createElement("div");
    card.id = "refsite-card";
    card.className = "refsite-card";
    card.setAttribute("role", "tooltip");
    card.hidden = true;
    card.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    card.addEventListener("mouseleave", function () { scheduleHide(); });
    document.body.appendChild(card);
    return card;
  }

  function cssEscape(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/["\\]/g, "\\$&");
  }

  function fill(target) {
    var box = ensureCard();
    box.textContent = "";
    var body = document.createElement("div");
    body.className = "refsite-card__body";
    var more = document.createElement("a");
    more.className = "refsite-card__more";
    more.href = target.getAttribute("href");
    if (target.classList.contains("refsite-term")) {
      var head = document.createElement("strong");
      head.className = "refsite-card__title";
      head.textContent = target.getAttribute("data-term") || target.textContent;
      body.appendChild(head);
      var text = document.createElement("span");
      text.textContent = " " + (target.getAttribute("data-refsite-short") || "");
      body.appendChild(text);
      more.textContent = "Read the glossary entry →";
      box.classList.add("refsite-card--term");
    } else {
      var key = target.getAttribute("data-key");
      var source = document.querySelector('.refsite-references [data-key="' + cssEscape(key) + '"] .refsite-ref__text');
      if (source) {
        body.appendChild(source.cloneNode(true));
        copyAs(body, source.parentNode.getAttribute("data-copy-as"));
      } else {
        body.textContent = key;
      }
      more.textContent = "Go to the bibliography entry →";
      box.classList.remove("refsite-card--term");
    }
    box.appendChild(body);
    box.appendChild(more);
  }

  /* "Copy as" buttons (the styles the site offers): [[label, text], ...] from the page's list. */
  function copyAs(body, json) {
    var styles;
    try { styles = JSON.parse(json || "[]"); } catch (e) { styles = []; }
    if (!styles.length) return;
    var row = document.createElement("p");
    row.className = "refsite-card__copy";
    styles.forEach(function (pair) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button refsite-copy";
      button.setAttribute("data-copy", pair[1]);
      button.textContent = "Copy as " + pair[0];
      row.appendChild(button);
    });
    body.appendChild(row);
  }

  function place(target) {
    var box = ensureCard();
    var rect = target.getBoundingClientRect();
    box.style.left = "0px";
    box.style.top = "0px";
    box.hidden = false;
    var width = box.offsetWidth, height = box.offsetHeight;
    var left = Math.min(Math.max(8, rect.left + window.scrollX), window.scrollX + document.documentElement.clientWidth - width - 8);
    var top = rect.bottom + window.scrollY + 6;
    if (rect.bottom + height + 12 > window.innerHeight && rect.top - height - 6 > 0) {
      top = rect.top + window.scrollY - height - 6;
    }
    box.style.left = Math.max(8, left) + "px";
    box.style.top = top + "px";
  }

  function show(target) {
    clearTimeout(hideTimer);
    if (owner && owner !== target) owner.removeAttribute("aria-describedby");
    owner = target;
    fill(target);
    place(target);
    target.setAttribute("aria-describedby", "refsite-card");
  }

  function hide() {
    clearTimeout(hideTimer);
    pinned = false;
    if (card) card.hidden = true;
    if (owner) owner.removeAttribute("aria-describedby");
    owner = null;
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    if (pinned) return;
    hideTimer = setTimeout(hide, 250);
  }

  document.addEventListener("mouseover", function (event) {
    var target = event.target.closest && event.target.closest(SELECTOR);
    if (target) show(target);
  });
  document.addEventListener("mouseout", function (event) {
    var target = event.target.closest && event.target.closest(SELECTOR);
    if (target && target === owner) scheduleHide();
  });
  document.addEventListener("focusin", function (event) {
    var target = event.target.closest && event.target.closest(SELECTOR);
    if (returning) return;  /* Escape gave the focus back: keep the card closed */
    if (target) show(target);
    else if (card && !card.contains(event.target)) hide();
  });
  document.addEventListener("focusout", function (event) {
    var target = event.target.closest && event.target.closest(SELECTOR);
    if (target && target === owner && !(card && card.contains(event.relatedTarget))) scheduleHide();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && card && !card.hidden) {
      var back = owner;
      hide();
      if (back && document.activeElement !== back && card.contains(document.activeElement)) {
        returning = true;
        try { back.focus(); } finally { returning = false; }
      }
    }
  });
  /* Touch: the first tap shows the card, a second tap on the same link follows it. */
  document.addEventListener("click", function (event) {
    var target = event.target.closest && event.target.closest(SELECTOR);
    if (!target) {
      if (card && !card.hidden && !card.contains(event.target)) hide();
      return;
    }
    if (event.pointerType === "touch" || (window.matchMedia && matchMedia("(hover: none)").matches)) {
      if (owner !== target || card.hidden) {
        event.preventDefault();
        event.stopPropagation();
        show(target);
        pinned = true;
      }
    }
  }, true);

  /* Copy buttons: data-copy holds the exact text. */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try { document.execCommand("copy") ? resolve() : reject(new Error("copy failed")); }
      catch (error) { reject(error); }
      document.body.removeChild(area);
    });
  }
  /* The text a copy button copies: its data-copy, the entry's text as shown, or the entry's
     record cut out of the site-wide BibTeX file. */
  function textToCopy(button) {
    var from = button.getAttribute("data-copy-from");
    if (!from) return Promise.resolve(button.getAttribute("data-copy"));
    var entry = button.closest(".refsite-entry");
    if (!entry) return Promise.reject(new Error("no entry"));
    if (from === "entry") {
      return Promise.resolve(entry.querySelector(".csl-entry").textContent.replace(/\s+/g, " ").trim());
    }
    var link = entry.querySelector('a.refsite-download[data-format="bibtex"]');
    return exportText(link.href).then(function (body) {
      var data = record("bibtex", body, entry.getAttribute("data-key"));
      if (data === null) throw new Error("no record");
      return data;
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest(".refsite-copy[data-copy], .refsite-copy[data-copy-from]");
    if (!button) return;
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    textToCopy(button).then(copyText).then(function () {
      button.textContent = "Copied ✓";
      setTimeout(function () { button.textContent = label; }, 1500);
    }, function () {
      button.textContent = "Copy failed";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });

  /* Per-entry RIS / CSL-JSON downloads: the entry's record, cut out of the site-wide export file. */
  var exportTexts = {};
  function exportText(href) {
    if (!exportTexts[href]) {
      exportTexts[href] = fetch(href).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      });
      exportTexts[href].catch(function () { delete exportTexts[href]; });
    }
    return exportTexts[href];
  }
  function record(format, text, key) {
    if (format === "bibtex") {
      var entries = text.split(/\n(?=@)/);
      for (var b = 0; b < entries.length; b++) {
        var head = entries[b].match(/^@[^{(\s]+\s*[{(]\s*([^,\s]+)\s*,/);
        if (head && head[1] === key) return entries[b].replace(/\s+$/, "") + "\n";
      }
      return null;
    }
    if (format === "ris") {
      var records = text.split(/^ER {2}-.*$/m);
      for (var i = 0; i < records.length; i++) {
        var lines = records[i].replace(/^\s+/, "").split("\n");
        for (var j = 0; j < lines.length; j++) {
          if (lines[j] === "ID  - " + key) return records[i].replace(/^\s+/, "") + "ER  - \n";
        }
      }
      return null;
    }
    var items = JSON.parse(text);
    for (var k = 0; k < items.length; k++) {
      if (items[k].id === key) return JSON.stringify(items[k], null, 2) + "\n";
    }
    return null;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.refsite-download[data-format]");
    var entry = link && link.closest(".refsite-entry");
    if (!entry || !window.fetch || !window.Blob) return;
    event.preventDefault();
    var href = link.href, format = link.getAttribute("data-format");
    exportText(href).then(function (body) {
      var data = record(format, body, entry.getAttribute("data-key"));
      if (data === null) throw new Error("no record");
      var type = {ris: "application/x-research-info-systems", bibtex: "application/x-bibtex"}[format] ||
        "application/vnd.citationstyles.csl+json";
      var url = URL.createObjectURL(new Blob([data], { type: type }));
      var save = document.createElement("a");
      save.href = url;
      save.download = link.getAttribute("data-filename");
      document.body.appendChild(save);
      save.click();
      document.body.removeChild(save);
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }).catch(function () {
      window.location.href = href;
    });
  });

  /* Material's search dialog has no accessible name. */
  function nameDialogs() {
    var dialogs = document.querySelectorAll('.md-search[role="dialog"]:not([aria-label])');
    for (var i = 0; i < dialogs.length; i++) dialogs[i].setAttribute("aria-label", "Search");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", nameDialogs);
  else nameDialogs();

  /* Instant navigation replaces the content: drop a card that belongs to the old page. */
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { hide(); nameDialogs(); });
  }
})();
