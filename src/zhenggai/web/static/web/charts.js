/* Draws the overview's charts with the vendored ECharts from the JSON the server put in the page
   (web/partials/charts.html). Runs on page load and after HTMX swaps the charts in; no network access. */
(function () {
  "use strict";
  var FONT = '"PingFang SC","Microsoft YaHei","WenQuanYi Micro Hei","Noto Sans CJK SC",sans-serif';
  var drawn = [];

  function base() {
    return { textStyle: { fontFamily: FONT }, animation: false, grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true } };
  }

  function bars(names, values, colour, unit) {
    var option = base();
    option.tooltip = { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v + unit; } };
    option.xAxis = { type: "value", max: unit === "%" ? 100 : null, minInterval: 1, axisLabel: { formatter: "{value}" + unit } };
    option.yAxis = { type: "category", inverse: true, data: names, axisLabel: { width: 120, overflow: "truncate" } };
    option.series = [{ type: "bar", data: values, itemStyle: { color: colour }, label: { show: true, position: "right", formatter: "{c}" + unit } }];
    return option;
  }

  var builders = {
    execution: function (data) {
      // 指标 page: each project's execution rate at each month's end against the year's 序时进度 line.
      var option = base();
      option.grid.bottom = 56;
      option.tooltip = { trigger: "axis", valueFormatter: function (v) { return v === null ? "" : v + "%"; } };
      option.legend = { bottom: 0, type: "scroll" };
      option.xAxis = { type: "category", data: data.execution.months, boundaryGap: false };
      option.yAxis = { type: "value", min: 0, max: function (v) { return Math.max(100, Math.ceil(v.max / 10) * 10); }, axisLabel: { formatter: "{value}%" } };
      option.series = [{ name: "序时进度", type: "line", data: data.execution.schedule, lineStyle: { type: "dashed", width: 2 }, itemStyle: { color: "#6c757d" }, symbol: "none" }]
        .concat(data.execution.projects.map(function (p) {
          return { name: p.name, type: "line", data: p.rates, showSymbol: true, symbolSize: 4, itemStyle: { color: p.color } };
        }));
      return option;
    },
    completion: function (data, which) {
      var set = data.completion[which || "lowest"];
      return bars(set.names, set.values, "#3370ff", "%");
    },
    colours: function (data) {
      var option = base();
      option.tooltip = { trigger: "item", formatter: "{b}：{c}条（{d}%）" };
      option.legend = { bottom: 0, type: "scroll" };
      option.series = [{
        type: "pie", radius: ["36%", "60%"], center: ["50%", "45%"],
        // Labels sit at the chart's edges (not cut off on a phone); a colour with no measures gets no label.
        label: { formatter: "{b}\n{c}", alignTo: "edge", edgeDistance: 6, minMargin: 4, overflow: "none" },
        data: data.colours.map(function (c) {
          var shown = c.value > 0;
          return { name: c.name, value: c.value, itemStyle: { color: c.color }, label: { show: shown }, labelLine: { show: shown } };
        })
      }];
      return option;
    },
    departments: function (data) {
      return bars(data.departments.map(function (d) { return (d.parent ? d.parent + " " : "") + d.name; }),
        data.departments.map(function (d) { return d.overdue; }), "#d93026", "");
    },
    trend: function (data) {
      var option = base();
      option.grid.bottom = 32;
      option.tooltip = { trigger: "axis" };
      option.legend = { bottom: 0 };
      option.xAxis = { type: "category", data: data.trend.days, boundaryGap: false };
      option.yAxis = { type: "value", minInterval: 1 };
      // null is "no sweep that day": ECharts leaves a gap there (connectNulls stays false); the symbols
      // keep a day with no neighbours visible
      function line(name, values, colour) {
        return { name: name, type: "line", data: values, showSymbol: true, symbolSize: 4, itemStyle: { color: colour } };
      }
      option.series = [
        line("未完成", data.trend.open, "#3370ff"),
        line("已逾期", data.trend.overdue, "#e6a100"),
        line("红灯", data.trend.red, "#d93026")
      ];
      return option;
    }
  };

  function draw(root) {
    if (!window.echarts) { return; }
    var holder = root.querySelector("[data-charts]");
    if (!holder) { return; }
    var source = document.getElementById(holder.getAttribute("data-charts"));
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    holder.querySelectorAll("[data-chart]").forEach(function (node) {
      var chart = window.echarts.init(node, null, { renderer: "svg", locale: "ZH" });
      chart.setOption(builders[node.getAttribute("data-chart")](data));
      drawn.push(chart);
      node.setAttribute("data-drawn", "1");
    });
    holder.querySelectorAll(".chart-tab").forEach(function (button) {
      button.addEventListener("click", function () {
        holder.querySelectorAll(".chart-tab").forEach(function (b) { b.classList.toggle("active", b === button); });
        var node = holder.querySelector('[data-chart="completion"]');
        window.echarts.getInstanceByDom(node).setOption(builders.completion(data, button.getAttribute("data-series")), true);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
  window.addEventListener("resize", function () { drawn.forEach(function (chart) { chart.resize(); }); });
})();
