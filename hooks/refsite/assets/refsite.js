/* refsite: cards for citations and glossary terms, copy buttons, marked backlink targets.
 * Event delegation on the document, so it keeps working after Material's instant navigation
 * swaps the page content. No framework, no title attributes.
 *
 * A card is a non-modal dialog (it holds links and buttons, so not a tooltip). It opens on mouse
 * hover, on keyboard focus of the citation or term (Tab then moves into the card, Tab past its last
 * control goes on after the citation, Escape closes it and gives the focus back), and on a first
 * tap (a second tap on the same citation, or the card's link, follows the link; a tap elsewhere
 * closes it). */
(function () {
  "use strict";
  if (window.__refsite) return;
  window.__refsite = true;

  var card = null, owner = null, hideTimer = null, pinned = false, returning = false;
  var lastDown = { type: "", time: 0 };
  var SELECTOR = "a.refsite-cite__ref[data-key], a.refsite-term[data-term-slug]";
  var TABBABLE = "a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), " +
    "select:not([disabled]), textarea:not([disabled]), summary, [tabindex]";

  function ensureCard() {
    if (card && document.body.contains(card)) return card;
    card = document.createElement("div");
    card.id = "refsite-card";
    /* md-typeset: the card's links and buttons look like the page's */
    card.className = "refsite-card md-typeset";
    card.setAttribute("role", "dialog");
    card.setAttribute("aria-modal", "false");
    card.tabIndex = -1;
    card.hidden = true;
    card.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    card.addEventListener("mouseleave", function () { scheduleHide(); });
    document.body.appendChild(card);
    return card;
  }

  function cssEscape(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/["\\]/g, "\\$&");
  }

  /* The link to the entry: "<label> in the bibliography →", the arrow left out of its name. */
  function moreLink(href, name) {
    var more = document.createElement("a");
    more.className = "refsite-card__more";
    more.href = href;
    more.appendChild(document.createTextNode(name + " "));
    var arrow = document.createElement("span");
    arrow.setAttribute("aria-hidden", "true");
    arrow.textContent = "→";
    more.appendChild(arrow);
    return more;
  }

  function fill(target) {
    var box = ensureCard();
    box.textContent = "";
    var body = document.createElement("div");
    body.className = "refsite-card__body";
    var href = target.getAttribute("href"), label, more, copy = null;
    if (target.classList.contains("refsite-term")) {
      label = target.getAttribute("data-term") || target.textContent.trim();
      var head = document.createElement("strong");
      head.className = "refsite-card__title";
      head.textContent = label;
      body.appendChild(head);
      var text = document.createElement("span");
      text.textContent = " " + (target.getAttribute("data-refsite-short") || "");
      body.appendChild(text);
      more = moreLink(href, label + " in the glossary");
      box.setAttribute("aria-label", "Glossary: " + label);
      box.classList.add("refsite-card--term");
    } else {
      var key = target.getAttribute("data-key");
      var entry = document.querySelector('.refsite-references [data-key="' + cssEscape(key) + '"]');
      var source = entry && entry.querySelector(".refsite-ref__text");
      label = (entry && entry.getAttribute("data-label")) || target.textContent.trim();
      if (source) {
        body.appendChild(source.cloneNode(true));
        copy = copyAs(entry.getAttribute("data-copy-as"));
      } else {
        body.textContent = label;
      }
      more = moreLink(href, label + " in the bibliography");
      box.setAttribute("aria-label", "Reference: " + label);
      box.classList.remove("refsite-card--term");
    }
    box.appendChild(body);
    box.appendChild(more);
    if (copy) box.appendChild(copy);
  }

  /* "Copy as" buttons (the styles the site offers): [[label, text], ...] from the page's list. */
  function copyAs(json) {
    var styles;
    try { styles = JSON.parse(json || "[]"); } catch (e) { styles = []; }
    if (!styles.length) return null;
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
    return row;
  }

  function place(target) {
    var box = ensureCard();
    var rect = target.getClientRects()[0] || target.getBoundingClientRect();
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
    if (target === owner && open()) return;      /* already shown: keep it (and the focus in it) */
    if (owner && owner !== target) collapse(owner);
    pinned = false;
    owner = target;
    fill(target);
    place(target);
    target.setAttribute("aria-expanded", "true");
    target.setAttribute("aria-controls", "refsite-card");
  }

  function collapse(trigger) {
    trigger.setAttribute("aria-expanded", "false");
    trigger.removeAttribute("aria-controls");
  }

  function hide() {
    clearTimeout(hideTimer);
    pinned = false;
    if (card) card.hidden = true;
    if (owner) collapse(owner);
    owner = null;
  }

  function open() { return !!(card && !card.hidden && owner); }

  function scheduleHide() {
    clearTimeout(hideTimer);
    if (pinned || (card && card.contains(document.activeElement)) || (owner && owner === document.activeElement)) return;
    hideTimer = setTimeout(hide, 250);
  }

  /* Citations and terms say that they open a card (collapsed until it shows). */
  function decorate() {
    var triggers = document.querySelectorAll(SELECTOR);
    for (var i = 0; i < triggers.length; i++) {
      if (triggers[i] !== owner) triggers[i].setAttribute("aria-expanded", "false");
    }
  }

  function trigger(event) {
    return event.target && event.target.closest ? event.target.closest(SELECTOR) : null;
  }

  function tabbables(root) {
    var all = root.querySelectorAll(TABBABLE), out = [];
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (el.tabIndex < 0 || el.closest("[hidden], [inert]") || !el.getClientRects().length) continue;
      if (root === document && card && card.contains(el)) continue;
      out.push(el);
    }
    return out;
  }

  /* The element Tab reaches after the card's owner, as if the card were not there. */
  function afterOwner() {
    var list = tabbables(document), index = list.indexOf(owner);
    return index >= 0 ? list[index + 1] || null : null;
  }

  /* Mouse (and pen): hover shows the card. Touch is left to the click handler below. */
  document.addEventListener("pointerover", function (event) {
    if (event.pointerType === "touch") return;
    var target = trigger(event);
    if (target && !(pinned && owner !== target)) show(target);
  });
  document.addEventListener("pointerout", function (event) {
    if (event.pointerType === "touch") return;
    var target = trigger(event);
    if (target && target === owner) scheduleHide();
  });
  document.addEventListener("pointerdown", function (event) {
    lastDown = { type: event.pointerType, time: Date.now() };
    /* A tap or click elsewhere closes the card. */
    if (open() && !card.contains(event.target) && !trigger(event)) hide();
  }, true);
  document.addEventListener("focusin", function (event) {
    var target = trigger(event);
    if (returning) return;  /* Escape gave the focus back: keep the card closed */
    /* Focus that a tap gives the link: the click handler decides (first tap shows the card). */
    var byTouch = lastDown.type === "touch" && Date.now() - lastDown.time < 1000;
    if (target) {
      if (!byTouch && !(pinned && owner === target)) show(target);
    } else if (card && !card.contains(event.target)) {
      hide();
    }
  });
  document.addEventListener("focusout", function (event) {
    var target = trigger(event);
    var next = event.relatedTarget;
    if (target && target === owner && !pinned && !(card && next && card.contains(next))) scheduleHide();
  });
  document.addEventListener("keydown", function (event) {
    lastDown = { type: "", time: 0 };
    if (!open()) return;
    var active = document.activeElement;
    if (event.key === "Escape") {
      var back = owner, inside = card.contains(active);
      hide();
      if (back && (inside || active === back)) {
        returning = true;
        try { back.focus(); } finally { returning = false; }
      }
      return;
    }
    if (event.key !== "Tab" || event.altKey || event.ctrlKey || event.metaKey) return;
    var inCard = tabbables(card);
    if (active === owner && !event.shiftKey && inCard.length) {
      event.preventDefault();
      inCard[0].focus();
    } else if (active === card && inCard.length) {
      event.preventDefault();
      (event.shiftKey ? owner : inCard[0]).focus();
    } else if (card.contains(active)) {
      var index = inCard.indexOf(active);
      if (event.shiftKey && index === 0) {
        event.preventDefault();
        owner.focus();
      } else if (!event.shiftKey && index === inCard.length - 1) {
        var next = afterOwner();
        if (next) {
          event.preventDefault();
          hide();
          next.focus();
        }
      }
    }
  });
  /* Touch: the first tap shows the card, a second tap on the same link follows it. */
  document.addEventListener("click", function (event) {
    var target = trigger(event);
    if (!target) return;
    var type = typeof event.pointerType === "string" && event.pointerType ? event.pointerType : lastDown.type;
    if (type !== "touch") return;
    if (pinned && owner === target && open()) return;      /* second tap: follow the link */
    event.preventDefault();
    event.stopPropagation();
    show(target);
    pinned = true;
    card.focus({ preventScroll: true });
  }, true);

  /* Backlinks land on a citation or a term: mark it (the script's class as well as :target) so the
     reader sees which one was meant. With instant navigation the fragment can get lost: Material's
     navigation.tracking may rewrite the address of the page being left after the new page is in
     place, and Material then scrolls to that fragment instead. So a link's fragment is remembered
     when it is clicked, and the new page is scrolled to it if Material did not. */
  var intended = null;
  function fragmentId(hash) {
    try { return decodeURIComponent(hash.slice(1)); } catch (e) { return hash.slice(1); }
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[href*='#']");
    if (!link || event.button || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var url = new URL(link.href, location.href);
    if (url.origin === location.origin && url.hash.length > 1) {
      intended = { path: url.pathname, id: fragmentId(url.hash), time: Date.now() };
    }
  }, true);
  function markTarget(arrived) {
    var old = document.querySelectorAll(".refsite-target");
    for (var i = 0; i < old.length; i++) old[i].classList.remove("refsite-target");
    var id = fragmentId(location.hash);
    if (intended && intended.path === location.pathname && Date.now() - intended.time < 10000) id = intended.id;
    if (arrived) intended = null;
    var el = id && document.getElementById(id);
    if (!el) return;
    if (el.matches(".refsite-cite, .refsite-term")) el.classList.add("refsite-target");
    if (arrived) {
      setTimeout(function () {
        if (document.body.contains(el) && !el.matches(":target")) el.scrollIntoView();
      }, 100);
    }
  }
  window.addEventListener("hashchange", function () { markTarget(false); });

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

  /* Instant navigation replaces the content: drop a card that belongs to the old page, mark the
     new page's citations and terms and the backlink's target. */
  function ready() { hide(); nameDialogs(); decorate(); markTarget(true); }
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(ready);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
