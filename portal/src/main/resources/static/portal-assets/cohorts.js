// The cohort explorer: draws a run's series from .../points as an ECharts scatter plot (one series per
// modality or anatomy, so the legend names every colour and the symbol differs too), shows each series'
// metadata on hover, and on a query highlights the matches from .../search and lists them in the table.
document.addEventListener('DOMContentLoaded', async () => {
  const element = document.getElementById('cohort-map');
  const form = document.getElementById('cohort-query');
  if (!element || !form || !window.echarts) {
    return;
  }
  const points = await (await fetch(element.dataset.points, { headers: { Accept: 'application/json' } })).json();
  const byUid = new Map(points.map((p) => [p.seriesInstanceUid, p]));
  const symbols = ['circle', 'rect', 'triangle', 'roundRect', 'arrow']; // the matches alone are diamonds
  const chart = window.echarts.init(element);
  window.addEventListener('resize', () => chart.resize());
  let matched = new Set();

  const draw = () => {
    const key = form.elements.colour.value;
    const groups = [...new Set(points.map((p) => p[key] || 'unknown'))].sort();
    chart.setOption({
      legend: { type: 'scroll', data: groups.concat(matched.size ? ['matches'] : []) },
      tooltip: {
        formatter: (item) => {
          const p = item.data.point;
          return [p.seriesDescription || '(no description)', `${p.modality} · ${p.anatomy} (${p.tier}) · ${p.orientation}`,
            `${p.images} images`, p.seriesInstanceUid].map((line) => line.replace(/[<>&]/g, '')).join('<br>');
        },
      },
      xAxis: { show: false, scale: true },
      yAxis: { show: false, scale: true },
      series: groups.map((group, i) => ({
        name: group,
        type: 'scatter',
        symbol: symbols[i % symbols.length],
        symbolSize: 7,
        itemStyle: { opacity: matched.size ? 0.25 : 0.85 },
        data: points.filter((p) => (p[key] || 'unknown') === group).map((p) => ({ value: [p.x, p.y], point: p })),
      })).concat(matched.size ? [{
        name: 'matches',
        type: 'effectScatter',
        symbol: 'diamond',
        symbolSize: 14,
        data: points.filter((p) => matched.has(p.seriesInstanceUid)).map((p) => ({ value: [p.x, p.y], point: p })),
      }] : []),
    }, true);
  };

  const list = (matches) => {
    const body = document.querySelector('#cohort-matches tbody');
    body.replaceChildren(...matches.map((m) => {
      const p = byUid.get(m.seriesInstanceUid) || {};
      const row = document.createElement('tr');
      [m.score.toFixed(3), m.seriesInstanceUid, p.modality, p.anatomy, p.orientation, p.images, m.description].forEach((text) => {
        const cell = document.createElement('td');
        cell.textContent = text === undefined ? '' : String(text);
        row.appendChild(cell);
      });
      return row;
    }));
  };

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const q = form.elements.q.value.trim();
    if (!q) {
      matched = new Set();
      list([]);
      draw();
      return;
    }
    // the nearest few: a tenth of the series, between 3 and the number asked for
    const wanted = Math.max(1, Math.min(Number(form.elements.k.value) || 10, Math.max(3, Math.floor(points.length / 10))));
    // the search address may carry the purpose of use already
    const address = new URL(form.dataset.search, window.location.href);
    address.searchParams.set('q', q);
    address.searchParams.set('k', String(wanted));
    const response = await fetch(address, { headers: { Accept: 'application/json' } });
    const matches = response.ok ? await response.json() : [];
    matched = new Set(matches.map((m) => m.seriesInstanceUid));
    list(matches);
    draw();
  });
  form.elements.colour.addEventListener('change', draw);
  draw();
  element.dataset.drawn = String(points.length);
});
