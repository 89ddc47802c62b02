// Calls and denials per hour from /portal/analytics/series, as two lines.
document.addEventListener('DOMContentLoaded', async () => {
  const element = document.getElementById('activity-chart');
  if (!element || !window.echarts) {
    return;
  }
  const points = await (await fetch(element.dataset.series, { headers: { Accept: 'application/json' } })).json();
  window.echarts.init(element).setOption({
    legend: { data: ['calls', 'denials'] },
    tooltip: { trigger: 'axis' },
    xAxis: { type: 'time' },
    yAxis: { type: 'value' },
    series: [
      { name: 'calls', type: 'line', data: points.map((p) => [p.hour, p.calls]) },
      { name: 'denials', type: 'line', lineStyle: { type: 'dashed' }, data: points.map((p) => [p.hour, p.denials]) },
    ],
  });
});
