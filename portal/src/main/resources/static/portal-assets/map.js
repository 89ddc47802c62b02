// Draws the agent map from /portal/map/graph with ECharts: categories by node kind, labels always shown.
document.addEventListener('DOMContentLoaded', async () => {
  const element = document.getElementById('agent-map');
  if (!element || !window.echarts) {
    return;
  }
  const graph = await (await fetch(element.dataset.graph, { headers: { Accept: 'application/json' } })).json();
  const kinds = ['owner', 'agent', 'tool', 'dataset', 'dataset-phi'];
  const chart = window.echarts.init(element);
  window.addEventListener('resize', () => chart.resize()); // a tablet turned on its side
  chart.setOption({
    legend: [{ data: kinds }],
    series: [{
      type: 'graph',
      layout: 'force',
      roam: true,
      force: { repulsion: 180, edgeLength: 90 },
      categories: kinds.map((name) => ({ name })),
      label: { show: true, formatter: (p) => p.data.status ? `${p.data.name} (${p.data.status})` : p.data.name },
      data: graph.nodes.map((n) => ({ id: n.id, name: n.label, status: n.status, category: kinds.indexOf(n.kind),
        symbol: n.kind === 'dataset-phi' ? 'diamond' : 'circle', symbolSize: n.kind === 'agent' ? 28 : 18 })),
      links: graph.links.map((l) => ({ source: l.source, target: l.target })),
    }],
  });
});
