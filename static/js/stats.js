// Charts of the statistics dashboard. Data comes from json_script islands. A withheld
// count ("<k", or "suppressed" when hidden only to protect another) is null and not
// drawn, as a bar would read as a value; its label carries the mark (data.marks) and its
// tooltip says what the mark means (data.notes).
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const marks = data.marks || [];
    const notes = data.notes || {};
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.title, data: data.counts, backgroundColor: "#2f6f9f" }],
      },
      options: {
        animation: false,
        // The whole column answers the pointer, so a bar that is not drawn has a tooltip.
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: (item) => {
                const mark = marks[item.dataIndex];
                return mark ? `${mark}: ${notes[mark] || ""}` : `${item.formattedValue}`;
              },
            },
          },
        },
        scales: {
          x: { ticks: { color: (tick) => (marks[tick.index] ? "#6c757d" : "#212529") } },
          y: { beginAtZero: true, ticks: { precision: 0 } },
        },
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
