// The dashboard's charts (Apache ECharts), drawn from the figures the page carries as JSON.
(function () {
  function draw() {
    var holder = document.getElementById("dashboard-data");
    if (!holder || typeof echarts === "undefined") { return; }
    var data = JSON.parse(holder.textContent);
    var groups = document.getElementById("chart-groups");
    if (groups && data.labels.length) {
      var chart = echarts.init(groups, null, { renderer: "canvas" });
      chart.setOption({
        tooltip: { trigger: "axis" },
        legend: { top: 0 },
        grid: { left: 8, right: 8, bottom: 8, top: 40, containLabel: true },
        xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 40 : 0 } },
        yAxis: { type: "value" },
        series: data.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      });
      window.addEventListener("resize", function () { chart.resize(); });
    }
    var rates = document.getElementById("chart-rates");
    if (rates && data.rates.length) {
      var rc = echarts.init(rates, null, { renderer: "canvas" });
      rc.setOption({
        tooltip: { formatter: "{b}: {c}%" },
        grid: { left: 8, right: 24, bottom: 8, top: 8, containLabel: true },
        xAxis: { type: "value", max: 100 },
        yAxis: { type: "category", data: data.rates.map(function (r) { return r.name; }), inverse: true },
        series: [{ type: "bar", data: data.rates.map(function (r) { return r.value; }), label: { show: true, position: "right", formatter: "{c}%" } }]
      });
      window.addEventListener("resize", function () { rc.resize(); });
    }
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
