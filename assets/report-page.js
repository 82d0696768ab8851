// pylogen's HTML report: draws the charts with uPlot (inlined above) from the JSON of
// #pylogen-data (src/report/reportData.ts), with the helpers of assets/charts.js (inlined before this script).
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('pylogen-data').textContent);
  var charts = pylogenCharts;
  var ERROR = '#d7263d';
  var color = charts.color;
  var fmt = charts.fmt;
  var fromZero = charts.fromZero;
  var positive = charts.positive;
  var chart = charts.chart;

  // Stacked areas: each series holds the running sum, drawn from the top layer down so each
  // layer's opaque fill covers the ones above it below its own line; the legend shows the layer's own value.
  // A rate is null where too little of its interval ran (reportData.ts): a gap where every layer's is.
  function stacked(layers) {
    var sums = [];
    var acc = data.time.map(function () {
      return 0;
    });
    var none = data.time.map(function (_, i) {
      return layers.every(function (l) {
        return l.values[i] == null;
      });
    });
    layers.forEach(function (l) {
      acc = acc.map(function (a, i) {
        return none[i] ? null : a + (l.values[i] || 0);
      });
      sums.push(acc);
    });
    var series = [];
    var rows = [];
    for (var i = layers.length - 1; i >= 0; i--) {
      (function (l) {
        series.push({
          label: l.name,
          stroke: l.stroke,
          fill: l.fill,
          width: 1,
          value: function (u, v, si, idx) {
            return idx == null ? '-' : fmt(l.values[idx], 1);
          },
        });
      })(layers[i]);
      rows.push(sums[i]);
    }
    return { series: series, rows: rows };
  }

  var t = data.time;
  // time ticks on whole intervals (never 250 ms ticks on a short run)
  var TIME_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 21600, 43200, 86400].filter(function (x) {
    return x >= data.intervalS;
  });
  function timeAxis() {
    return { incrs: TIME_INCRS };
  }
  var perS = data.intervalS === 1 ? '/s' : '/s (' + data.intervalS + ' s intervals)';

  // 1. Throughput: ok by request, errors on top
  var layers = data.throughput.ok.map(function (r, i) {
    return { name: r.name + ' ok', values: r.values, stroke: color(i), fill: mix(color(i)) };
  });
  layers.push({ name: 'errors', values: data.throughput.errors, stroke: ERROR, fill: '#f5b5bd' });
  function mix(hex) {
    // an opaque lighter shade of hex (opaque: the layers are drawn over each other)
    var n = parseInt(hex.slice(1), 16);
    var c = [n >> 16, (n >> 8) & 255, n & 255].map(function (x) {
      return Math.round(x + (255 - x) * 0.55);
    });
    return 'rgb(' + c.join(',') + ')';
  }
  var st = stacked(layers);
  chart(
    'throughput',
    { series: [{}].concat(st.series), axes: [timeAxis(), { label: 'requests' + perS, size: 60 }], scales: { x: { time: true }, y: { range: fromZero } } },
    [t].concat(st.rows),
  );

  // 2. Latency percentiles over time (log scale: max is often far above p50). Several requests (a
  // scenario, a CUT of several requests): p99 (solid) and p50 (dashed) of each, in its throughput
  // colour; a click on a legend entry hides or shows it. One request: its p50, p90, p99 and max.
  var L = data.latency;
  var ms = function (u, v) {
    return fmt(v, 3) + ' ms';
  };
  var lines =
    L.byRequest.length > 1
      ? [].concat.apply(
          [],
          L.byRequest.map(function (r, i) {
            return [
              [r.name + ' p99', r.p99, color(i), 2, undefined],
              [r.name + ' p50', r.p50, color(i), 1, [6, 4]],
            ];
          }),
        )
      : [
          ['p50', L.p50, color(0), 2],
          ['p90', L.p90, color(1), 2],
          ['p99', L.p99, color(3), 2],
          ['max', L.max, ERROR, 1],
        ];
  chart(
    'latency',
    {
      series: [{}].concat(
        lines.map(function (s) {
          return { label: s[0], stroke: s[2], width: s[3], dash: s[4], spanGaps: false, value: ms };
        }),
      ),
      scales: { x: { time: true }, y: { distr: 3 } },
      axes: [timeAxis(), { label: 'ms (log)', size: 60 }],
    },
    [t].concat(
      lines.map(function (s) {
        return positive(s[1]);
      }),
    ),
  );

  // 3. Percentile distribution
  charts.distribution(data.distribution, function (c, i) {
    return color(i);
  });

  // 4. Errors by type
  var E =
    data.errorsByType.length > 0
      ? data.errorsByType
      : [
          {
            name: 'errors (none)',
            values: t.map(function () {
              return 0;
            }),
          },
        ];
  chart(
    'errors',
    {
      series: [{}].concat(
        E.map(function (e, i) {
          return {
            label: e.name,
            stroke: i === 0 ? ERROR : color(i + 2),
            width: 2,
            value: function (u, v) {
              return fmt(v, 1) + perS;
            },
          };
        }),
      ),
      scales: { x: { time: true }, y: { range: fromZero } },
      axes: [timeAxis(), { label: 'errors' + perS, size: 60 }],
    },
    [t].concat(
      E.map(function (e) {
        return e.values;
      }),
    ),
  );

  // 5. Runners and arrivals
  var R = data.runners;
  var rs = [{}, { label: 'active runners', stroke: color(0), width: 2, scale: 'runners', paths: uPlot.paths.stepped({ align: 1 }) }];
  var rrows = [t, R.active];
  var raxes = [timeAxis(), { label: 'runners', scale: 'runners', size: 50 }];
  if (R.arrivals) {
    [
      ['planned', color(1)],
      ['started', color(2)],
      ['dropped', ERROR],
    ].forEach(function (a) {
      rs.push({ label: 'arrivals ' + a[0] + perS, stroke: a[1], width: 2, scale: 'arrivals' });
      rrows.push(R.arrivals[a[0]]);
    });
    raxes.push({ label: 'arrivals' + perS, scale: 'arrivals', side: 1, size: 60, grid: { show: false } });
  }
  chart(
    'runners',
    {
      series: rs,
      scales: {
        x: { time: true },
        runners: {
          range: function (u, lo, hi) {
            return [0, Math.max(1, hi + 1)];
          },
        },
        arrivals: { range: fromZero },
      },
      axes: raxes,
    },
    rrows,
  );

  // 6. Capacity steps: achieved against offered, p99 on the right
  var C = data.capacity;
  if (C) {
    var xs = C.level.map(function (_, i) {
      return i + 1;
    });
    var label = function (i) {
      var v = C.level[i - 1];
      return v == null ? '' : (C.mode === 'rate' ? v + '/s' : 'c=' + v) + (C.refine[i - 1] ? '*' : '');
    };
    var cs = [
      {
        label: 'step',
        value: function (u, i) {
          return i == null ? '-' : label(i);
        },
      },
    ];
    var crows = [xs];
    if (C.mode === 'rate') {
      cs.push({ label: 'offered/s', stroke: '#888', dash: [6, 4], width: 2, scale: 'rate' });
      crows.push(C.level);
    }
    cs.push({ label: 'achieved/s', stroke: color(0), width: 2, scale: 'rate', points: { size: 7 } });
    crows.push(C.achieved);
    cs.push({ label: 'p99 ms', stroke: color(3), width: 2, scale: 'ms', points: { size: 7 } });
    crows.push(positive(C.p99));
    cs.push({
      label: 'failed step',
      stroke: ERROR,
      width: 0,
      scale: 'rate',
      paths: function () {
        return null;
      },
      points: { show: true, size: 11, fill: ERROR, stroke: ERROR },
    });
    crows.push(
      C.achieved.map(function (a, i) {
        return C.ok[i] ? null : a;
      }),
    );
    chart(
      'capacity',
      {
        series: cs,
        scales: {
          x: { time: false, range: [0.5, xs.length + 0.5] },
          rate: {
            range: function (u, lo, hi) {
              return [0, Math.max(1, hi * 1.1)];
            },
          },
        },
        axes: [
          {
            label: C.mode === 'rate' ? 'offered rate (* a --refine probe)' : 'concurrency',
            splits: function () {
              return xs;
            },
            values: function (u, s) {
              return s.map(label);
            },
          },
          { label: C.mode === 'rate' ? 'operations/s' : 'throughput/s', scale: 'rate', size: 60 },
          { label: 'p99 ms', scale: 'ms', side: 1, size: 60, grid: { show: false } },
        ],
      },
      crows,
    );
  }
})();
