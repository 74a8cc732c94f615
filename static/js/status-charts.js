// The status dashboard's charts (templates/pes/_status.html): gross invoiced per quarter
// (bars) and the quarter's deal mix (doughnut). The data comes from the page's
// json_script element "pes-chart-data"; the CSP allows no inline script, so this static
// file draws them. Needs the vendored Chart.js (static/vendor/chartjs), loaded before it.
(function () {
  "use strict";

  var COLOURS = ["#1f6feb", "#f59f00", "#d6336c"];

  function draw() {
    var source = document.getElementById("pes-chart-data");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    var data = JSON.parse(source.textContent);
    var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    var animation = reduced ? false : { duration: 400 };

    var gross = document.getElementById("pes-gross-chart");
    if (gross && data.gross) {
      var currency = data.gross.currency;
      var amount = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
      new window.Chart(gross, {
        type: "bar",
        data: {
          labels: data.gross.labels,
          datasets: [{
            label: "Gross invoiced (" + currency + ")",
            data: data.gross.values.map(Number),
            backgroundColor: data.gross.values.map(function (_, i, all) {
              // The current quarter (the last bar) is still running: lighter.
              return i === all.length - 1 ? "rgba(31, 111, 235, 0.45)" : "#1f6feb";
            }),
            borderRadius: 4
          }]
        },
        options: {
          maintainAspectRatio: false,
          animation: animation,
          plugins: {
            legend: { display: false },
            tooltip: {
              callbacks: {
                label: function (item) { return amount.format(item.parsed.y) + " " + currency; }
              }
            }
          },
          scales: {
            y: {
              beginAtZero: true,
              ticks: { callback: function (value) { return amount.format(value); } }
            }
          }
        }
      });
    }

    var mix = document.getElementById("pes-mix-chart");
    if (mix && data.mix) {
      new window.Chart(mix, {
        type: "doughnut",
        data: {
          labels: data.mix.labels,
          datasets: [{ data: data.mix.values, backgroundColor: COLOURS, borderWidth: 1 }]
        },
        options: {
          maintainAspectRatio: false,
          animation: animation,
          plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } } }
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
