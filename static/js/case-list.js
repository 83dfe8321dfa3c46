// The case list's bulk assignment: one box ticks (or unticks) every case of the page.
// Without script the box stays hidden and each case is ticked on its own.
function enableTickAll() {
  const all = document.getElementById("pick-all");
  const form = document.getElementById("bulk-assign");
  if (!all || !form || all.dataset.ready) {
    return;
  }
  all.dataset.ready = "1";
  document.getElementById("pick-all-box").hidden = false;
  const boxes = () => form.querySelectorAll('input[name="cases"]');
  all.addEventListener("change", () => {
    boxes().forEach((box) => {
      box.checked = all.checked;
    });
  });
  form.addEventListener("change", (event) => {
    if (event.target.name === "cases") {
      const ticked = [...boxes()].filter((box) => box.checked).length;
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    }
  });
}
document.addEventListener("DOMContentLoaded", enableTickAll);
// The filters replace the rows (htmx): the new rows get the box too.
document.addEventListener("htmx:afterSettle", enableTickAll);
