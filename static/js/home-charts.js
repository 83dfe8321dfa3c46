// The supervisor's caseload charts on home. Each canvas names its json_script island
// (data-chart): row labels, one or two series of counts, and a link per row to the case
// list filtered the same way. The page shows each chart's figures as a table until the
// chart is drawn; once drawn, the table folds away behind its <summary> (still there
// for whoever wants the figures), and a bar, clicked, opens its cases.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof Chart === "undefined") return;
  const COLOURS = ["#2f6f9f", "#b8401f"]; // open cases, with overdue tasks: 3:1 or more on white
  const INK = "#212529";
  const GRID = "#dee2e6";

  // Long labels wrap on narrow screens instead of squeezing the bars.
  const wrap = (text, width) => {
    const lines = [];
    let line = "";
    for (const word of String(text).split(" ")) {
      if (line && (line + " " + word).length > width) {
        lines.push(line);
        line = word;
      } else {
        line = line ? `${line} ${word}` : word;
      }
    }
    if (line) lines.push(line);
    return lines;
  };

  // Each bar's count at its end, so the figure is read without hovering (a zero too).
  const counts = {
    id: "homewardCounts",
    afterDatasetsDraw(chart) {
      const { ctx } = chart;
      ctx.save();
      ctx.font = `${Chart.defaults.font.size}px ${Chart.defaults.font.family}`;
      ctx.fillStyle = INK;
      ctx.textBaseline = "middle";
      chart.data.datasets.forEach((dataset, i) => {
        const meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        meta.data.forEach((bar, index) => ctx.fillText(`${dataset.data[index]}`, bar.x + 4, bar.y));
      });
      ctx.restore();
    },
  };

  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const data = JSON.parse(source.textContent);
    const series = data.series;
    const frame = canvas.closest("[data-chart-frame]");
    // Horizontal bars: the width follows the screen, the height the number of rows and
    // the lines of their longest label, wrapped narrower on a phone.
    const labelWidth = (width) => (width < 500 ? 16 : 28);
    const heightFor = (width) => {
      const lines = Math.max(...data.labels.map((l) => wrap(l, labelWidth(width)).length));
      const row = Math.max(series.length > 1 ? 46 : 34, lines * 14 + 10);
      return `${data.labels.length * row + (series.length > 1 ? 70 : 40)}px`;
    };
    frame.classList.remove("d-none");
    frame.style.height = heightFor(frame.clientWidth);
    const chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: series.map((s, i) => ({
          label: s.label,
          data: s.data,
          backgroundColor: COLOURS[i % COLOURS.length],
          borderRadius: 3,
          maxBarThickness: 22,
        })),
      },
      plugins: [counts],
      options: {
        indexAxis: "y",
        layout: { padding: { right: 28 } },
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: "index", axis: "y", intersect: false },
        onClick: (_event, elements) => {
          if (elements.length && data.links[elements[0].index]) {
            window.location.assign(data.links[elements[0].index]);
          }
        },
        onResize: (_chart, size) => {
          const height = heightFor(size.width);
          if (frame.style.height !== height) frame.style.height = height;
        },
        onHover: (event, elements) => {
          event.native.target.style.cursor = elements.length ? "pointer" : "default";
        },
        plugins: {
          legend: {
            display: series.length > 1,
            position: "top",
            align: "start",
            labels: { color: INK, boxWidth: 14 },
          },
        },
        scales: {
          x: {
            beginAtZero: true,
            position: "top",
            ticks: { precision: 0, color: INK },
            grid: { color: GRID },
          },
          y: {
            grid: { display: false },
            ticks: {
              color: INK,
              autoSkip: false,
              callback(value) {
                return wrap(this.getLabelForValue(value), labelWidth(this.chart.width));
              },
            },
          },
        },
      },
    });
    if (chart) {
      const figures = frame.parentElement.querySelector("[data-chart-figures]");
      if (figures) figures.open = false;
    }
  });
});
