// The chart helpers of pylogen's HTML pages (the run report, assets/report-page.js, and pylogen compare's, assets/compare-page.js):
// inlined before the page's own script (src/report/renderReport.ts readAssets), it defines window.pylogenCharts.
// chart() draws one uPlot chart into its [data-chart] element; when every chart has drawn once, <body> gets
// data-rendered="N" (what the browser tests and bench/report.js wait for) and data-rendered-ms.
window.pylogenCharts = (function () {
  'use strict';
  var PALETTE = ['#4a6fa5', '#e8a33d', '#5aa469', '#9b5de5', '#2ec4b6', '#f15bb5', '#8d6e63', '#607d8b'];
  var pending = 0;
  var drawn = 0;

  function color(i) {
    return PALETTE[i % PALETTE.length];
  }
  function fmt(v, d) {
    return v == null ? '-' : (+v).toFixed(d);
  }
  function fromZero(u, lo, hi) {
    return [0, Math.max(1, hi * 1.05)];
  }
  function positive(a) {
    return a.map(function (v) {
      return v == null || v <= 0 ? null : v;
    });
  }

  function chart(name, opts, rows) {
    var el = document.querySelector('[data-chart="' + name + '"]');
    if (el === null) return;
    pending++;
    opts.width = Math.max(400, el.clientWidth || 1200);
    opts.height = opts.height || 300;
    opts.hooks = opts.hooks || {};
    var once = false;
    opts.hooks.draw = [
      function () {
        if (once) return;
        once = true;
        drawn++;
        if (drawn === pending) {
          // what the page loaded besides itself (resource timing): none, the page is self-contained
          document.body.setAttribute('data-resources', String(performance.getEntriesByType('resource').length));
          // ms from the navigation's start to every chart drawn (bench/report.js reads it)
          document.body.setAttribute('data-rendered-ms', String(Math.round(performance.now())));
          document.body.setAttribute('data-rendered', String(drawn));
        }
      },
    ];
    try {
      new uPlot(opts, rows, el);
    } catch (e) {
      el.insertAdjacentHTML('beforeend', '<p class="chart-error"></p>');
      el.lastChild.textContent = 'this chart could not be drawn: ' + e;
      throw e;
    }
  }

  // Percentile distributions, HdrHistogram style: x = log10(1 / (1 - p)). D is the pages' data.distribution
  // ({x, curves: [{name, values}]}); stroke(curve, i) is a curve's colour.
  function distribution(D, stroke) {
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
          curves.map(function (c, i) {
            return {
              label: c.name,
              stroke: stroke(c, i),
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
  }

  return { color: color, fmt: fmt, fromZero: fromZero, positive: positive, chart: chart, distribution: distribution };
})();
