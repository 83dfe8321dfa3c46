// The case page's tabs (casework/views/workspace.py): progressive enhancements only.
document.addEventListener("DOMContentLoaded", () => {
  // A link to a section of a tab that is not open (…/#consent from another page) opens
  // that tab, then shows the section.
  const section = decodeURIComponent(window.location.hash.slice(1));
  if (section && !document.getElementById(section)) {
    const tab = document.querySelector(`[data-case-sections~="${CSS.escape(section)}"]`);
    if (tab) {
      document.body.addEventListener(
        "htmx:afterSettle",
        () => document.getElementById(section)?.scrollIntoView(),
        { once: true },
      );
      tab.click();
    }
  }

  // A region swapped after one of its own buttons (Done, Acknowledge, Save) took the
  // focus with it: put the keyboard back in the region, not at the top of the page.
  const landing = {
    "next-panel": () => document.getElementById("next-heading"),
    "tasks-block": () => document.getElementById("tasks-heading"),
    "case-workspace": () =>
      document.getElementById("workspace-status") ||
      document.querySelector(".case-tabs [aria-current=page]"),
  };
  document.body.addEventListener("htmx:afterSwap", (event) => {
    const find = landing[event.detail.target?.id];
    if (find && (!document.activeElement || document.activeElement === document.body)) {
      find()?.focus();
    }
  });
});
