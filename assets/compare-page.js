// pylogen compare's HTML report: draws the overlaid charts with uPlot (inlined above) from the JSON
// of #pylogen-data (src/compare/renderCompare.ts), with the helpers of assets/charts.js (inlined before this script).
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('pylogen-data').textContent);
  var charts = pylogenCharts;
  var fmt = charts.fmt;
  var positive = charts.positive;
  var chart = charts.chart;

  // a run's colour: every curve of run k (its name starts with the run's name) gets the same one
  function runColor(name) {
    for (var i = 0; i < data.runs.length; i++) if (name === data.runs[i] || name.indexOf(data.runs[i] + ' ') === 0) return charts.color(i);
    return '#888';
  }

  var secs = {
    label: 's since start',
    value: function (u, v) {
      return v == null ? '-' : fmt(v, 2) + ' s';
    },
  };
  var xAxis = { label: "seconds since each run's start" };

  // 1. Throughput of each run
  chart(
    'throughput',
    {
      series: [secs].concat(
        data.throughput.map(function (c) {
          return {
            label: c.name + ' ok/s',
            stroke: runColor(c.name),
            width: 2,
            spanGaps: true,
            value: function (u, v) {
              return fmt(v, 1) + '/s';
            },
          };
        }),
      ),
      scales: {
        x: { time: false },
        y: {
          range: function (u, lo, hi) {
            return [0, Math.max(1, hi * 1.05)];
          },
        },
      },
      axes: [xAxis, { label: 'ok requests/s', size: 60 }],
    },
    [data.time].concat(
      data.throughput.map(function (c) {
        return c.values;
      }),
    ),
  );

  // 2. p50 (solid) and p99 (dashed) of each run (log scale)
  chart(
    'latency',
    {
      series: [secs].concat(
        data.latency.map(function (c) {
          var p99 = / p99$/.test(c.name);
          return {
            label: c.name,
            stroke: runColor(c.name),
            width: p99 ? 1 : 2,
            dash: p99 ? [6, 4] : undefined,
            spanGaps: true,
            value: function (u, v) {
              return fmt(v, 3) + ' ms';
            },
          };
        }),
      ),
      scales: { x: { time: false }, y: { distr: 3 } },
      axes: [xAxis, { label: 'ms (log)', size: 60 }],
    },
    [data.time].concat(
      data.latency.map(function (c) {
        return positive(c.values);
      }),
    ),
  );

  // 3. Percentile distributions
  charts.distribution(data.distribution, function (c) {
    return runColor(c.name);
  });
})();
