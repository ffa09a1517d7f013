// Overview (cards and uPlot charts), request log and settings. Text goes in through textContent only.

export function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export async function api(path, options = {}) {
  const init = { credentials: 'same-origin', ...options, headers: { 'content-type': 'application/json' } };
  const response = await fetch(path, init);
  if (response.status === 401) {
    window.location.assign('/admin/sign-in');
    throw new Error('signed out');
  }
  const type = response.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
  return body;
}

export const formatTime = (time) => (time ? new Date(time).toLocaleString() : '');
const number = (value) => Number(value ?? 0).toLocaleString();

export function renderCards(container, entries) {
  container.replaceChildren(
    ...entries.map(([label, value, name]) =>
      element(
        'div',
        { class: 'card', 'data-card': name },
        element('span', {}, label),
        element('strong', {}, value),
      ),
    ),
  );
}

const palette = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
const charts = new Map();

/** One uPlot line chart per metric, one series per name (the eight busiest), every bucket of the range shown. */
function drawChart(id, usage, metric) {
  const container = document.getElementById(id);
  const { points, bucketMs, from } = usage;
  const totals = new Map();
  for (const point of points) totals.set(point.name, (totals.get(point.name) ?? 0) + metric(point));
  const names = [...totals.keys()]
    .sort((first, second) => totals.get(second) - totals.get(first))
    .slice(0, 8);
  const times = [];
  for (let time = Math.floor(from / bucketMs) * bucketMs; time <= Date.now(); time += bucketMs)
    times.push(time);
  const data = [times.map((time) => time / 1000)];
  for (const name of names) {
    const byTime = new Map(
      points.filter((point) => point.name === name).map((point) => [point.time, metric(point)]),
    );
    data.push(times.map((time) => byTime.get(time) ?? 0));
  }
  charts.get(id)?.destroy();
  const width = Math.max(260, (container.clientWidth || 600) - 10);
  const series = [
    {},
    ...names.map((name, index) => ({
      label: name || 'all',
      stroke: palette[index % palette.length],
      width: 2,
    })),
  ];
  const options = { width, height: 220, series, scales: { x: { time: true } }, axes: [{}, { size: 60 }] };
  charts.set(id, new window.uPlot(options, data, container));
  container.dataset.series = String(names.length);
  container.dataset.points = String(times.length);
}

export async function showOverview() {
  const overview = await api('/admin/api/overview');
  const day = overview.last24h ?? {};
  const tokens = (day.promptTokens ?? 0) + (day.outputTokens ?? 0) + (day.thoughtTokens ?? 0);
  renderCards(document.getElementById('cards'), [
    ['Active keys', overview.keys.active, 'active'],
    ['Cooling keys', overview.keys.cooling, 'cooling'],
    ['Disabled keys', overview.keys.disabled, 'disabled'],
    ['Requests / min', number(overview.requestsPerMinute), 'per-minute'],
    ['Requests 24 h', number(day.requests), 'requests'],
    ['Tokens 24 h', number(tokens), 'tokens'],
    ['Error rate 24 h', `${((overview.errorRate24h ?? 0) * 100).toFixed(1)} %`, 'error-rate'],
  ]);
  const minutes = (overview.perMinute ?? []).map((minute) => ({ ...minute, name: 'requests' }));
  const errors = (overview.perMinute ?? []).map((minute) => ({
    ...minute,
    name: 'errors',
    requests: minute.errors,
  }));
  const lastHour = { points: [...minutes, ...errors], bucketMs: 60_000, from: Date.now() - 3_600_000 };
  drawChart('chart-minutes', lastHour, (point) => point.requests);
  const dimension = document.getElementById('dimension').value;
  const range = document.getElementById('range').value;
  const usage = await api(`/admin/api/usage?dimension=${dimension}&range=${range}`);
  drawChart('chart-requests', usage, (point) => point.requests);
  drawChart('chart-errors', usage, (point) => point.errors);
  drawChart('chart-tokens', usage, (point) => point.promptTokens + point.outputTokens + point.thoughtTokens);
}

function filterQuery(form) {
  const query = new URLSearchParams();
  for (const [name, value] of new FormData(form)) {
    if (value === '') continue;
    query.set(name, name === 'from' || name === 'to' ? String(new Date(value).getTime()) : value);
  }
  return query;
}

export async function showRequests() {
  const form = document.getElementById('request-filters');
  const query = filterQuery(form);
  document.getElementById('csv').href = `/admin/api/requests.csv?${query}`;
  query.set('limit', '200');
  const { records } = await api(`/admin/api/requests?${query}`);
  const rows = records.map((record) =>
    element(
      'tr',
      { 'data-status': record.status, 'data-model': record.model ?? '' },
      element('td', {}, formatTime(record.time)),
      element('td', {}, record.surface, record.stream ? ' (stream)' : ''),
      element('td', {}, record.model ?? ''),
      element('td', {}, record.client ?? ''),
      element('td', { class: 'mono' }, record.keyFingerprint ?? ''),
      element('td', {}, record.status),
      element('td', {}, record.outcome),
      element('td', {}, record.attempts.map((attempt) => attempt.outcome).join(' → ')),
      element('td', {}, `${Math.round(record.latencyMs)} ms`),
      element('td', {}, number(record.promptTokens + record.outputTokens + record.thoughtTokens)),
      element('td', {}, record.errorClass ?? ''),
    ),
  );
  document.querySelector('#request-table tbody').replaceChildren(...rows);
}

export async function showSettings() {
  const { config } = await api('/admin/api/config');
  const rows = Object.entries(config).map(([name, value]) =>
    element(
      'tr',
      {},
      element('th', {}, name),
      element('td', { class: 'mono' }, typeof value === 'string' ? value : JSON.stringify(value)),
    ),
  );
  document.querySelector('#config-table tbody').replaceChildren(...rows);
}
