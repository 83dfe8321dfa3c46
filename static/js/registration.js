// Registration: the long country and language lists become searchable (Tom Select).
// Without this script they stay plain selects and a plain text field, and still work.
(() => {
  "use strict";
  const form = document.getElementById("register-form");
  if (!form || typeof TomSelect === "undefined") {
    return;
  }
  // Lists shorter than this are quicker to read than to search.
  const LONG_LIST = 30;
  const texts = {
    remove: form.dataset.removeLabel || "Remove",
    noResults: form.dataset.noResults || "No results",
  };
  const escape = (text) => {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  };
  const render = {
    no_results: () => `<div class="no-results">${escape(texts.noResults)}</div>`,
  };

  // The original field stays in the form, hidden, for the values it sends: its label
  // now names the searchable box, so assistive technology is told to skip it.
  const hideOriginal = (field) => {
    field.setAttribute("aria-hidden", "true");
    field.tabIndex = -1;
  };

  // Tom Select re-focuses its box each time the list opens; if the box measures 0 px
  // wide at that moment (layout not settled on a slow device) it focuses its wrapper
  // instead, which blurs the box and empties what was being typed. A box that already
  // has the focus keeps it.
  const keepFocus = (tomSelect) => {
    const focus = tomSelect.focus.bind(tomSelect);
    tomSelect.focus = () => {
      if (document.activeElement !== tomSelect.control_input) {
        focus();
      }
    };
    return tomSelect;
  };

  form.querySelectorAll("select").forEach((select) => {
    if (select.options.length < LONG_LIST) {
      return;
    }
    hideOriginal(select);
    keepFocus(new TomSelect(select, {
      plugins: select.multiple ? { remove_button: { title: texts.remove } } : [],
      maxOptions: null,
      allowEmptyOption: !select.multiple,
      hideSelected: select.multiple,
      // Closed after each choice, also for several: an open list would cover the
      // step's buttons on a phone; typing again opens it for the next one.
      closeAfterSelect: true,
      render,
    }));
  });

  // Languages are typed as ISO codes ("sw, en"); searched here by their names.
  const choices = document.getElementById("language-choices");
  const languages = form.querySelector('input[name$="-languages"]');
  if (choices && languages) {
    const options = JSON.parse(choices.textContent);
    const known = new Set(options.map((option) => option.value));
    const codes = languages.value.split(",").map((code) => code.trim().toLowerCase()).filter(Boolean);
    // A code typed before (or without) this script stays, even if it has no name here.
    codes.filter((code) => !known.has(code)).forEach((code) => options.push({ value: code, text: code }));
    languages.value = codes.join(",");
    const help = document.getElementById(`${languages.id}_helptext`);
    if (help && form.dataset.languagesHelp) {
      help.textContent = form.dataset.languagesHelp;
    }
    hideOriginal(languages);
    keepFocus(new TomSelect(languages, {
      options,
      items: codes,
      delimiter: ",",
      create: false,
      maxOptions: 50,
      closeAfterSelect: true,
      plugins: { remove_button: { title: texts.remove } },
      searchField: ["text", "value"],
      render,
    }));
  }
})();
