/* Market pages: the K-line with indicator panes (lightweight-charts), backtest curves, strategy stats (Chart.js). */
(function () {
  "use strict";
  const LWC = window.LightweightCharts;
  // attributionLogo off: the logo is an inline <style> the Content-Security-Policy refuses; the pages
  // credit TradingView Lightweight Charts in a link under each chart instead.
  const base = { layout: { background: { color: "#fff" }, textColor: "#374151", attributionLogo: false },
    grid: { vertLines: { color: "#f1f2f4" }, horzLines: { color: "#f1f2f4" } },
    rightPriceScale: { borderColor: "#e3e6eb", minimumWidth: 72 }, timeScale: { borderColor: "#e3e6eb" } };  // one axis width: the panes line up with the K-line

  function line(chart, color, width) {
    return chart.addLineSeries({ color: color, lineWidth: width || 1, priceLineVisible: false, lastValueVisible: false });
  }
  function points(dates, values) {
    const out = [];
    for (let i = 0; i < dates.length; i++) if (values[i] !== null && values[i] !== undefined) out.push({ time: dates[i], value: values[i] });
    return out;
  }

  function stockChart(box) {
    const up = box.dataset.up, down = box.dataset.down;
    const main = LWC.createChart(box, Object.assign({}, base, { height: box.clientHeight }));
    const candles = main.addCandlestickSeries({ upColor: up, downColor: down, borderUpColor: up, borderDownColor: down, wickUpColor: up, wickDownColor: down });
    const volume = main.addHistogramSeries({ priceScaleId: "vol", priceFormat: { type: "volume" }, lastValueVisible: false, priceLineVisible: false });
    main.priceScale("vol").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    candles.priceScale().applyOptions({ scaleMargins: { top: 0.05, bottom: 0.25 } });
    const overlays = { ma5: line(main, "#f59e0b"), ma10: line(main, "#3b82f6"), ma20: line(main, "#a855f7"), ma60: line(main, "#10b981"),
      boll_upper: line(main, "#9ca3af"), boll_mid: line(main, "#6b7280"), boll_lower: line(main, "#9ca3af") };
    const panes = {};
    function pane(id, series) {
      const el = document.getElementById(id);
      const chart = LWC.createChart(el, Object.assign({}, base, { height: el.clientHeight, timeScale: { visible: false } }));
      panes[id] = { chart: chart, series: series(chart) };
    }
    pane("pane-macd", c => ({ macd_bar: c.addHistogramSeries({ priceLineVisible: false, lastValueVisible: false }), macd_dif: line(c, "#f59e0b"), macd_dea: line(c, "#3b82f6") }));
    pane("pane-kdj", c => ({ kdj_k: line(c, "#f59e0b"), kdj_d: line(c, "#3b82f6"), kdj_j: line(c, "#a855f7") }));
    pane("pane-rsi", c => ({ rsi6: line(c, "#f59e0b"), rsi12: line(c, "#3b82f6"), rsi24: line(c, "#a855f7") }));
    // Zoom and pan on the K-line move every pane with it.
    main.timeScale().subscribeVisibleLogicalRangeChange(range => {
      if (range) Object.values(panes).forEach(p => p.chart.timeScale().setVisibleLogicalRange(range));
    });
    const status = document.getElementById("chart-status"), legend = document.getElementById("chart-legend");

    function draw(data) {
      const dates = data.bars.map(b => b[0]);
      box.dataset.bars = String(data.bars.length);
      box.dataset.lastClose = data.bars.length ? String(data.bars[data.bars.length - 1][4]) : "";
      box.dataset.firstClose = data.bars.length ? String(data.bars[0][4]) : "";
      candles.setData(data.bars.map(b => ({ time: b[0], open: b[1], high: b[2], low: b[3], close: b[4] })));
      volume.setData(data.bars.map(b => ({ time: b[0], value: b[5], color: b[4] >= b[1] ? up + "80" : down + "80" })));
      Object.entries(overlays).forEach(([k, s]) => s.setData(points(dates, data.indicators[k] || [])));
      Object.values(panes).forEach(p => Object.entries(p.series).forEach(([k, s]) => {
        let pts = points(dates, data.indicators[k] || []);
        if (k === "macd_bar") pts = pts.map(p2 => Object.assign(p2, { color: p2.value >= 0 ? up : down }));
        s.setData(pts);
      }));
      candles.setMarkers(data.signals.map(s => ({ time: s.date, position: s.side === "buy" ? "belowBar" : "aboveBar",
        color: s.side === "buy" ? up : down, shape: s.side === "buy" ? "arrowUp" : "arrowDown", text: s.strategy })));
      if (data.bars.length > 250) main.timeScale().setVisibleLogicalRange({ from: data.bars.length - 250, to: data.bars.length });
      else main.timeScale().fitContent();
      status.textContent = data.bars.length ? "" : box.dataset.empty;
      // Colours come from market.css classes: the Content-Security-Policy refuses inline style attributes.
      legend.replaceChildren(...[["ma5", "MA5"], ["ma10", "MA10"], ["ma20", "MA20"], ["ma60", "MA60"], ["boll", "BOLL(20,2)"]].map(([key, text]) => {
        const span = document.createElement("span");
        span.className = "legend-" + key;
        span.textContent = text;
        return span;
      }));
      box.dataset.loaded = data.adjust;
    }
    function load(adjust) {
      box.dataset.loaded = "";
      fetch(box.dataset.url + "?adjust=" + adjust, { credentials: "same-origin" }).then(r => r.json()).then(draw);
    }
    document.querySelectorAll("#adjust-toggle [data-adjust]").forEach(btn => btn.addEventListener("click", () => {
      document.querySelectorAll("#adjust-toggle [data-adjust]").forEach(b => b.classList.toggle("active", b === btn));
      load(btn.dataset.adjust);
    }));
    load("qfq");
  }

  function curves() {
    const data = JSON.parse(document.getElementById("curves-data").textContent);
    const toPoints = rows => rows.map(r => ({ time: r[0], value: r[1] }));
    const el = document.getElementById("equity-chart");
    const eq = LWC.createChart(el, Object.assign({}, base, { height: el.clientHeight }));
    line(eq, "#9ca3af", 2).setData(toPoints(data.benchmark));
    line(eq, "#2563eb", 2).setData(toPoints(data.equity));
    eq.timeScale().fitContent();
    const dd = document.getElementById("drawdown-chart");
    const ddc = LWC.createChart(dd, Object.assign({}, base, { height: dd.clientHeight }));
    ddc.addAreaSeries({ lineColor: "#dc2626", topColor: "rgba(220,38,38,0.05)", bottomColor: "rgba(220,38,38,0.35)", lineWidth: 1 })
      .setData(toPoints(data.drawdown));
    ddc.timeScale().fitContent();
    el.dataset.points = String(data.equity.length);
  }

  function statsChart() {
    const data = JSON.parse(document.getElementById("stats-data").textContent);
    const canvas = document.getElementById("stats-chart");
    const labels = data.horizons.map(h => h + "d");
    const pick = k => data.horizons.map(h => data.stats[h][k]);  // stored in percent already
    new window.Chart(canvas, { type: "bar", data: { labels: labels, datasets: [
      { label: canvas.dataset.hit + " %", data: pick("hit_rate"), backgroundColor: "#93c5fd", yAxisID: "y" },
      { label: canvas.dataset.mean + " %", data: pick("mean"), backgroundColor: "#fca5a5", yAxisID: "y1" },
      { label: canvas.dataset.median + " %", data: pick("median"), backgroundColor: "#fcd34d", yAxisID: "y1" }] },
      // Hit rates are 0–100 %, returns a few %: each on its own axis so both can be read.
      options: { maintainAspectRatio: false, animation: false, scales: {
        y: { position: "left", min: 0, max: 100, title: { display: true, text: canvas.dataset.hit + " %" } },
        y1: { position: "right", grid: { drawOnChartArea: false } } } } });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const box = document.getElementById("stock-chart");
    if (box && LWC) stockChart(box);
    if (document.getElementById("curves-data") && LWC) curves();
    if (document.getElementById("stats-data") && window.Chart) statsChart();
  });
})();
