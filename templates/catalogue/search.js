// Search the cards of this page as one types: a card stays when its text (data-search,
// folded at publish time) holds every word of the query, folded the same way (see
// page_search.py). Only textContent and hidden are set: nothing typed or published becomes
// markup. A browser that cannot run this keeps the form hidden and every card shown.
(() => {
  "use strict";
  const input = document.getElementById("find-briefs");
  const status = document.getElementById("find-status");
  if (!input || !status) return;
  const fold = (text) => text.normalize("NFKD").replace(/\p{Mn}/gu, "").toLowerCase();
  const number = new Intl.NumberFormat(document.documentElement.lang || undefined);

  function say(query, words, shown) {
    if (!words.length) return "";
    if (!shown) return status.dataset.none.replace("{query}", () => query);
    return status.dataset.shown.replace("{shown}", () => number.format(shown));
  }

  function apply() {
    const query = input.value.trim();
    const words = fold(query).split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const card of document.querySelectorAll("li.brief[data-search]")) {
      const text = card.dataset.search;
      card.hidden = !words.every((word) => text.includes(word));
      shown += card.hidden ? 0 : 1;
    }
    // A year none of whose briefs match goes too, heading and all.
    for (const year of document.querySelectorAll("section.year")) {
      year.hidden = !year.querySelector("li.brief:not([hidden])");
    }
    status.textContent = say(query, words, shown);
  }

  input.form.addEventListener("submit", (event) => {
    event.preventDefault();
    apply();
  });
  input.addEventListener("input", apply);
  input.form.hidden = false;
  // A query the browser restored on going back filters the page it comes back to.
  document.addEventListener("DOMContentLoaded", apply);
})();
