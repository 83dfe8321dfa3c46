// Charts of the statistics dashboard. Data comes from json_script islands; suppressed
// counts ("<k") are null and not drawn.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.title, data: data.counts, backgroundColor: "#2f6f9f" }],
      },
      options: {
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  });
  // The export form carries the cross-tab's current choice.
  const rows = document.getElementById("id_rows");
  const columns = document.getElementById("id_columns");
  const exportForm = document.getElementById("export-form");
  if (exportForm && rows && columns) {
    exportForm.addEventListener("submit", () => {
      document.getElementById("export-rows").value = rows.value;
      document.getElementById("export-columns").value = columns.value;
    });
  }
});
