/* refsite: the bibliography's filter box and A–Z bar.
 *
 * The page holds every work (its text stays in the HTML, for search engines and Material's search);
 * this script only shows or hides entries. It reveals the filter box (hidden without a script),
 * folds case and accents ("Arsene" finds "Arsène", "muller" finds "Müller"), keeps the works with
 * a word that starts with each word typed (author, title, year, in any order), hides the letters
 * and A–Z jumps with no match, and says how many works match in a live region. Listeners sit on
 * the document, and the page is set up again on each of Material's instant navigations
 * (document$), so nothing needs a reload. */
(function () {
  "use strict";
  if (window.__refsiteBibliography) return;
  window.__refsiteBibliography = true;

  var FILTER = "refsite-filter";
  var ANNOUNCE_DELAY = 350;          // ms: the live region speaks once typing pauses
  var MARKS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
  var APOSTROPHES = /['\u2018\u2019\u02bc`]/g;
  var SEPARATORS;
  try { SEPARATORS = new RegExp("[^\\p{L}\\p{N}]+", "gu"); } catch (e) { SEPARATORS = /[^0-9a-z\u00c0-\uffff]+/g; }

  /* Case- and accent-folded text with single spaces between words ("Arsène, S." -> "arsene s"). */
  function fold(text) {
    return (" " + String(text).normalize("NFKD").replace(MARKS, "").toLowerCase()
      .replace(/\u00df/g, "ss").replace(/\u00f8/g, "o").replace(/\u0142/g, "l").replace(/\u0111/g, "d")
      .replace(/\u00e6/g, "ae").replace(/\u0153/g, "oe").replace(/\u0131/g, "i")
      .replace(APOSTROPHES, "").replace(SEPARATORS, " ") + " ").replace(/ +/g, " ");
  }

  function number(n) {
    try { return n.toLocaleString(document.documentElement.lang || undefined); } catch (e) { return String(n); }
  }

  function parts() {
    var input = document.getElementById(FILTER);
    var works = document.getElementById("refsite-works");
    if (!input || !works) return null;
    return { input: input, works: works, status: document.getElementById("refsite-filter-status"),
             none: works.querySelector(".refsite-works__none"),
             bar: document.querySelector(".refsite-finder .refsite-az") };
  }

  /* What is searched, read from the page once (per page: Material's instant navigation brings a new one). */
  function index(p) {
    if (p.works.__refsiteIndex) return p.works.__refsiteIndex;
    var entries = p.works.querySelectorAll(".refsite-entry");
    var items = new Array(entries.length);
    for (var i = 0; i < entries.length; i++) {
      var entry = entries[i];
      var label = entry.querySelector(".refsite-entry__label");
      var text = entry.querySelector(".csl-entry");
      items[i] = { el: entry, group: entry.parentNode.classList.contains("refsite-works__group") ? entry.parentNode : null,
                   text: fold((label ? label.textContent : "") + " " + (text ? text.textContent : "")),
                   shown: true };
    }
    var jumps = {}, groups = [];
    if (p.bar) {      /* Material's instant navigation makes the hrefs absolute: read the fragment */
      p.bar.querySelectorAll("a[href]").forEach(function (a) { jumps[decodeURIComponent(a.hash.slice(1))] = a; });
    }
    p.works.querySelectorAll(".refsite-works__group").forEach(function (g) {
      var heading = g.querySelector(".refsite-letter");
      groups.push({ el: g, jump: heading ? jumps[heading.id] : null });
    });
    p.works.__refsiteIndex = { items: items, groups: groups };
    return p.works.__refsiteIndex;
  }

  function setJump(a, on) {
    if (!a) return;
    if (on) {
      if (a.hasAttribute("data-href")) { a.setAttribute("href", a.getAttribute("data-href")); a.removeAttribute("data-href"); }
      a.removeAttribute("aria-disabled");
      a.removeAttribute("role");
      a.classList.remove("refsite-az__off");
    } else if (!a.hasAttribute("data-href")) {
      a.setAttribute("data-href", a.getAttribute("href"));
      a.removeAttribute("href");            // not focusable, not followed: nothing matches there
      a.setAttribute("role", "link");
      a.setAttribute("aria-disabled", "true");
      a.classList.add("refsite-az__off");
    }
  }

  /* Show the works with a word starting with each word of ``query``; returns how many. */
  function apply(p, query) {
    var idx = index(p);
    var words = fold(query).trim().split(" ").filter(Boolean).map(function (w) { return " " + w; });
    var items = idx.items, shown = 0, counts = new Map();
    for (var i = 0; i < items.length; i++) {
      var item = items[i], match = true;
      for (var w = 0; w < words.length; w++) {
        if (item.text.indexOf(words[w]) < 0) { match = false; break; }
      }
      if (match !== item.shown) { item.el.hidden = !match; item.shown = match; }
      if (match) {
        shown++;
        if (item.group) counts.set(item.group, (counts.get(item.group) || 0) + 1);
      }
    }
    idx.groups.forEach(function (g) {
      var has = counts.has(g.el);
      if (g.el.hidden === has) g.el.hidden = !has;
      setJump(g.jump, has);
    });
    if (p.none) p.none.hidden = shown > 0;
    return shown;
  }

  function statusText(p, shown) {
    var total = index(p).items.length;
    var query = p.input.value.trim();
    if (!query) return number(total) + (total === 1 ? " work" : " works");
    if (!shown) return "No work matches \u201c" + query + "\u201d";
    return number(shown) + " of " + number(total) + (total === 1 ? " work" : " works") + " match \u201c" + query + "\u201d";
  }

  var announceTimer = null;
  function update(p) {
    var t0 = performance.now();
    var shown = apply(p, p.input.value);
    p.works.setAttribute("data-filter-ms", (performance.now() - t0).toFixed(1));
    clearTimeout(announceTimer);
    var text = statusText(p, shown);
    announceTimer = setTimeout(function () {
      var now = parts();
      if (now && now.status === p.status && p.status) p.status.textContent = text;
    }, ANNOUNCE_DELAY);
  }

  function clearFilter(p) {
    if (!p.input.value) return;
    p.input.value = "";
    update(p);
  }

  function setup() {
    var p = parts();
    if (!p) return;
    var box = p.input.closest(".refsite-filter");
    if (box) box.hidden = false;
    if (p.input.value) update(p);        // a value the browser restored
    var target = targetOf(location.hash); // arriving at a work from a citation on another page
    if (target) land(target);
  }

  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === FILTER) {
      var p = parts();
      if (p) update(p);
    }
  });

  document.addEventListener("focusin", function (event) {
    if (event.target && event.target.id === FILTER) {
      var p = parts();
      if (p) index(p);                   // read the page before the first key, not on it
    }
  });

  document.addEventListener("keydown", function (event) {
    if (!event.target || event.target.id !== FILTER) return;
    var p = parts();
    if (!p) return;
    if (event.key === "Escape" && p.input.value) {
      event.preventDefault();
      event.stopPropagation();
      clearFilter(p);
    } else if (event.key === "Enter") {
      event.preventDefault();             // to the first match, where Tab goes on through its links
      var first = p.works.querySelector(".refsite-entry:not([hidden]) .refsite-entry__label");
      if (first) {
        if (!first.hasAttribute("tabindex")) first.setAttribute("tabindex", "-1");
        first.focus();
        first.scrollIntoView({ block: "start" });
      }
    }
  }, true);

  /* Landing on a work or a letter. The entries are laid out only near the screen (CSS
   * content-visibility), so a jump first lands where the entries above it were estimated to end;
   * as they are laid out the target moves. Scroll to it again until it stays put (a few frames). */
  function land(target) {
    var frames = 0, last = null, still = 0;
    function step() {
      if (!document.body.contains(target)) return;
      target.scrollIntoView({ block: "start" });         // honours scroll-margin-top
      var top = target.getBoundingClientRect().top;
      still = last !== null && Math.abs(top - last) < 1 ? still + 1 : 0;
      last = top;
      if (still < 3 && ++frames < 60) requestAnimationFrame(step);
    }
    requestAnimationFrame(step);
  }

  function targetOf(hash) {
    if (!hash || hash.length < 2) return null;
    var id;
    try { id = decodeURIComponent(hash.slice(1)); } catch (e) { id = hash.slice(1); }
    return document.getElementById(id);
  }

  /* A link to a place on this page (the A–Z bar, the list of incomplete works, the indexes, the
   * most-cited table): a filter that hides the place is cleared first, and the jump lands (see
   * land). The address changes as Material's instant navigation changes it (the scroll offset kept
   * for Back, then pushState): setting location.hash would make Material fetch this page of
   * thousands of works again on the first jump. Links to other pages are left alone. */
  document.addEventListener("click", function (event) {
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    var link = event.target && event.target.closest ? event.target.closest("a[href]") : null;
    if (!link || link.target || !link.hash || link.origin !== location.origin || link.pathname !== location.pathname) return;
    var p = parts();
    var target = p && targetOf(link.hash);
    if (!target || !link.closest(".md-content")) return;
    if (p.input.value && p.works.contains(target) && target.closest("[hidden]")) clearFilter(p);
    event.preventDefault();
    event.stopPropagation();
    if (location.hash !== link.hash) {
      history.replaceState({ x: window.scrollX, y: window.scrollY }, "");
      history.pushState(null, "", link.hash);
    }
    land(target);
  }, true);

  window.addEventListener("hashchange", function () {
    var p = parts();
    var target = p && targetOf(location.hash);
    if (!target) return;
    if (p.input.value && p.works.contains(target) && target.closest("[hidden]")) clearFilter(p);
    land(target);
  });

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(function () { setup(); });
  }
})();
