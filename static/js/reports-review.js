/* Thana Connect, review report: draws the charts from the page's json_script data. No inline JS. */
(function () {
  "use strict";
  function bar(canvasId, labels, datasets, horizontal) {
    var canvas = document.getElementById(canvasId);
    if (!canvas || typeof Chart === "undefined") { return; }
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        indexAxis: horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: { x: { ticks: { autoSkip: true } } }
      }
    });
  }
  function draw() {
    var source = document.getElementById("review-chart-data");
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var many = data.labels.length > 12;
    bar("chart-complaints", data.labels, [
      { label: data.legend.received, data: data.received, backgroundColor: "#0d6efd" },
      { label: data.legend.disposed, data: data.disposed, backgroundColor: "#198754" },
      { label: data.legend.pending, data: data.pending, backgroundColor: "#fd7e14" }
    ], many);
    bar("chart-field", data.labels, [
      { label: data.legend.accused_arrested, data: data.accused_arrested, backgroundColor: "#6f42c1" },
      { label: data.legend.detained, data: data.detained, backgroundColor: "#dc3545" }
    ], many);
    bar("chart-reach", data.labels, [
      { label: data.legend.people_reached, data: data.people_reached, backgroundColor: "#20c997" }
    ], many);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
