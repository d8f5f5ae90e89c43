/* Small behaviours of the pages: confirmations, the schedule builder's sections, params mode, charts. */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
  }, true);

  function syncSchedule() {
    var select = document.getElementById("id_schedule_type");
    if (!select) return;
    document.querySelectorAll("[data-show-when]").forEach(function (el) {
      el.hidden = el.getAttribute("data-show-when").split(" ").indexOf(select.value) < 0;
    });
  }

  function syncParamsMode() {
    var checked = document.querySelector("input[name=params_mode]:checked");
    var mode = checked ? checked.value : "form";
    document.querySelectorAll("[data-mode]").forEach(function (el) {
      el.hidden = el.getAttribute("data-mode") !== mode;
    });
  }

  function scrollLog() {
    var log = document.getElementById("log-tail");
    if (log) log.scrollTop = log.scrollHeight;
  }

  var STATUS_COLOURS = {
    success: "#16a34a", failed: "#dc2626", timeout: "#d97706", cancelled: "#9ca3af", skipped: "#d1d5db"
  };

  function dailyChart() {
    var canvas = document.getElementById("daily-chart");
    var data = document.getElementById("daily-chart-data");
    if (!canvas || !data || !window.Chart) return;
    data = JSON.parse(data.textContent);
    var holder = document.getElementById("ms-status-labels");
    var labels = holder ? holder.dataset : {};
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: Object.keys(data.series).map(function (status) {
          return { label: labels[status] || status, data: data.series[status], backgroundColor: STATUS_COLOURS[status], stack: "s" };
        })
      },
      options: { maintainAspectRatio: false, animation: false, scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  function durationLabel() {
    var holder = document.getElementById("ms-duration-label");
    return holder ? holder.dataset.label : "s";
  }

  // Widths and offsets come as data attributes: the Content-Security-Policy refuses style="" in markup,
  // while styles set from a script file are allowed.
  function applySizes(root) {
    (root || document).querySelectorAll("[data-width]").forEach(function (el) {
      el.style.width = parseFloat(el.dataset.width || "0") + "%";
      if (el.dataset.left !== undefined) el.style.marginLeft = parseFloat(el.dataset.left || "0") + "%";
    });
  }

  function trendChart() {
    var canvas = document.getElementById("trend-chart");
    var data = document.getElementById("trend-chart-data");
    if (!canvas || !data || !window.Chart) return;
    data = JSON.parse(data.textContent);
    new window.Chart(canvas, {
      type: "line",
      data: {
        labels: data.map(function (r) { return r.label; }),
        datasets: [{
          label: durationLabel(), data: data.map(function (r) { return r.duration; }),
          borderColor: "#2563eb", tension: 0.2,
          pointBackgroundColor: data.map(function (r) { return STATUS_COLOURS[r.status] || "#2563eb"; })
        }]
      },
      options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true } } }
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.id === "id_schedule_type") syncSchedule();
    if (event.target.name === "params_mode") syncParamsMode();
  });
  document.addEventListener("htmx:afterSwap", scrollLog);
  document.addEventListener("htmx:load", function (event) { applySizes(event.target); });
  document.addEventListener("DOMContentLoaded", function () {
    syncSchedule(); syncParamsMode(); scrollLog(); applySizes(); dailyChart(); trendChart();
  });
})();
