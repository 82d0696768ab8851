// pylogen compare's HTML report: draws the overlaid charts with uPlot (inlined above) from the JSON
// of #pylogen-data (src/compare/renderCompare.ts). When every chart has drawn once, <body> gets
// data-rendered="N" (what the browser test waits for), as the run report's page does.
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('pylogen-data').textContent);
  var PALETTE = ['#4a6fa5', '#e8a33d', '#5aa469', '#9b5de5', '#2ec4b6', '#f15bb5', '#8d6e63', '#607d8b'];
  var pending = 0;
  var drawn = 0;

  function fmt(v, d) {
    return v == null ? '-' : (+v).toFixed(d);
  }
  function positive(a) {
    return a.map(function (v) {
      return v == null || v <= 0 ? null : v;
    });
  }
  // a run's colour: every curve of run k (its name starts with the run's name) gets the same one
  function runColor(name) {
    for (var i = 0; i < data.runs.length; i++) if (name === data.runs[i] || name.indexOf(data.runs[i] + ' ') === 0) return PALETTE[i % PALETTE.length];
    return '#888';
  }

  function chart(name, opts, rows) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (el === null) return;
    pending++;
    opts.width = Math.max(400, el.clientWidth || 1200);
    opts.height = 300;
    var once = false;
    opts.hooks = {
      draw: [
        function () {
          if (once) return;
          once = true;
          drawn++;
          if (drawn === pending) {
            document.body.setAttribute('data-resources', String(performance.getEntriesByType('resource').length));
            document.body.setAttribute('data-rendered', String(drawn));
          }
        },
      ],
    };
    try {
      new uPlot(opts, rows, el);
    } catch (e) {
      el.insertAdjacentHTML('beforeend', '<p class="chart-error"></p>');
      el.lastChild.textContent = 'this chart could not be drawn: ' + e;
      throw e;
    }
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

  // 3. Percentile distributions, HdrHistogram style: x = log10(1 / (1 - p))
  var D = data.distribution;
  var TICKS = [Math.log10(2), 1, 2, 3, 4];
  var pct = function (k) {
    var p = 100 * (1 - Math.pow(10, -k));
    var s = p >= 99.9 ? p.toFixed(3) : p >= 99 ? p.toFixed(2) : p >= 90 ? p.toFixed(1) : p.toFixed(0);
    return (s.indexOf('.') < 0 ? s : s.replace(/0+$/, '').replace(/\.$/, '')) + '%';
  };
  var curves =
    D.curves.length > 0
      ? D.curves
      : [
          {
            name: 'no ok request',
            values: D.x.map(function () {
              return null;
            }),
          },
        ];
  chart(
    'distribution',
    {
      series: [
        {
          label: 'percentile',
          value: function (u, k) {
            return k == null ? '-' : pct(k);
          },
        },
      ].concat(
        curves.map(function (c) {
          return {
            label: c.name,
            stroke: runColor(c.name),
            width: 2,
            value: function (u, v) {
              return fmt(v, 3) + ' ms';
            },
          };
        }),
      ),
      scales: { x: { time: false, range: [TICKS[0], 4] }, y: { distr: 3 } },
      axes: [
        {
          label: 'percentile',
          splits: function () {
            return TICKS;
          },
          values: function (u, s) {
            return s.map(pct);
          },
        },
        { label: 'ms (log)', size: 60 },
      ],
    },
    [D.x].concat(
      curves.map(function (c) {
        return positive(c.values);
      }),
    ),
  );
})();
