import {
  api,
  element,
  formatTime,
  renderCards,
  showOverview,
  showRequests,
  showSettings,
} from './dashboard-views.js';

const views = { overview: showOverview, keys: showKeys, requests: showRequests, settings: showSettings };
const json = (value) => JSON.stringify(value);

function current() {
  const name = window.location.hash.slice(1);
  return name in views ? name : 'overview';
}

async function show() {
  const name = current();
  delete document.body.dataset.ready;
  for (const view of Object.keys(views)) {
    document.getElementById(`view-${view}`).hidden = view !== name;
    document.querySelector(`nav a[data-view="${view}"]`).classList.toggle('active', view === name);
  }
  try {
    await views[name]();
    document.body.dataset.ready = name;
  } catch (error) {
    document.body.dataset.error = String(error.message);
  }
}

function usageCell(usage) {
  if (!usage) return '0';
  const tokens = usage.promptTokens + usage.outputTokens + usage.thoughtTokens;
  return `${usage.requests} req · ${usage.errors} err · ${tokens.toLocaleString()} tok`;
}

function details(key) {
  const limits = key.learntLimits.map(
    (learnt) => `${learnt.model}: ${learnt.limit}/${Math.round(learnt.windowMs / 1000)}s`,
  );
  const learnt = limits.length > 0 ? ` · learnt ${limits.join(', ')}` : '';
  return state(key) + learnt;
}

function state(key) {
  if (key.disabled)
    return `${key.disabled.reason} (by ${key.disabled.by}, since ${formatTime(key.disabled.since)})`;
  return key.cooling.map((cooling) => `${cooling.model} until ${formatTime(cooling.until)}`).join('; ');
}

async function act(path, method = 'POST', body = {}) {
  await api(path, { method, body: json(body) });
  await showKeys();
}

function actions(key) {
  const id = encodeURIComponent(key.fingerprint);
  const button = (label, handler) =>
    element('button', { type: 'button', 'data-action': label, onclick: handler }, label);
  return [
    key.state === 'disabled'
      ? button('enable', () => act(`/admin/api/keys/${id}/enable`))
      : button('disable', () =>
          act(`/admin/api/keys/${id}/disable`, 'POST', { reason: 'disabled by the admin' }),
        ),
    button('verify', () =>
      watch(api('/admin/api/keys/verify', { method: 'POST', body: json({ ids: [key.fingerprint] }) })),
    ),
    button('delete', () => {
      if (window.confirm(`Delete ${key.fingerprint}?`)) act(`/admin/api/keys/${id}`, 'DELETE');
    }),
  ];
}

function noteInput(key) {
  return element('input', {
    value: key.note ?? '',
    'aria-label': 'note',
    onchange: (event) =>
      act(`/admin/api/keys/${encodeURIComponent(key.fingerprint)}/note`, 'PUT', { note: event.target.value }),
  });
}

async function showKeys() {
  const table = await api('/admin/api/keys');
  document.getElementById('persistence').textContent = table.persistent
    ? 'Keys added here are stored encrypted (ENCRYPTION_KEY) and survive a restart.'
    : 'ENCRYPTION_KEY is not set: keys added here last until the service restarts.';
  renderCards(document.getElementById('key-states'), [
    ['Active', table.states.active, 'active'],
    ['Cooling', table.states.cooling, 'cooling'],
    ['Disabled', table.states.disabled, 'disabled'],
  ]);
  const rows = table.keys.map((key) =>
    element(
      'tr',
      { 'data-key': key.fingerprint, 'data-state': key.state },
      element(
        'td',
        {},
        element('input', { type: 'checkbox', 'aria-label': 'select', value: key.fingerprint }),
      ),
      element('td', { class: 'mono' }, key.fingerprint, key.source === 'runtime' ? ' (added)' : ''),
      element('td', {}, element('span', { class: `badge ${key.state}` }, key.state)),
      element('td', { class: 'wrap' }, details(key)),
      element(
        'td',
        { class: 'wrap' },
        key.lastError
          ? `${key.lastError.outcome} ${key.lastError.status ?? ''} ${formatTime(key.lastError.time)}`
          : '',
      ),
      element('td', {}, usageCell(key.usage24h)),
      element('td', {}, usageCell(key.usage30d)),
      element('td', {}, noteInput(key)),
      element('td', {}, element('div', { class: 'actions' }, actions(key))),
    ),
  );
  document.querySelector('#key-table tbody').replaceChildren(...rows);
}

/** Polls a verification task until it is done, showing its progress. */
async function watch(started) {
  const progress = document.getElementById('task-progress');
  let task = await started;
  for (let polls = 0; polls < 600 && !task.finished; polls++) {
    progress.textContent = `Verifying ${task.done}/${task.total}…`;
    await new Promise((resolve) => setTimeout(resolve, 500));
    task = await api(`/admin/api/tasks/${task.id}`);
  }
  const outcomes = Object.entries(task.outcomes)
    .map(([outcome, count]) => `${count} ${outcome}`)
    .join(', ');
  progress.textContent = `Verified ${task.done}/${task.total}${outcomes ? `: ${outcomes}` : ''}`;
  await showKeys();
}

document.getElementById('add-keys').addEventListener('submit', async (event) => {
  event.preventDefault();
  const result = document.getElementById('add-result');
  const file = document.getElementById('keys-file').files[0];
  const text = `${document.getElementById('keys-text').value}\n${file ? await file.text() : ''}`;
  result.textContent = 'Adding and verifying…';
  try {
    const added = await api('/admin/api/keys', { method: 'POST', body: json({ text }) });
    const outcomes = added.results
      .filter((entry) => entry.added)
      .map((entry) => `${entry.fingerprint}: ${entry.outcome}`);
    result.textContent = `Found ${added.found}, added ${added.added}. ${outcomes.join('; ')}`;
    document.getElementById('keys-text').value = '';
    await showKeys();
  } catch (error) {
    result.textContent = error.message;
  }
});

document
  .getElementById('verify-all')
  .addEventListener('click', () => watch(api('/admin/api/keys/verify', { method: 'POST', body: json({}) })));
document.getElementById('verify-selected').addEventListener('click', () => {
  const ids = [...document.querySelectorAll('#key-table input[type=checkbox]:checked')].map(
    (box) => box.value,
  );
  watch(api('/admin/api/keys/verify', { method: 'POST', body: json({ ids }) }));
});
document.getElementById('export').addEventListener('click', async () => {
  const state = document.getElementById('export-state').value;
  const text = await api('/admin/api/keys/export', { method: 'POST', body: json({ state }) });
  const link = element('a', {
    href: URL.createObjectURL(new Blob([text], { type: 'text/plain' })),
    download: `gemini-keys-${state}.txt`,
  });
  link.click();
  URL.revokeObjectURL(link.href);
});
document.getElementById('sign-out').addEventListener('click', async () => {
  await fetch('/admin/api/session', {
    method: 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: '{}',
    credentials: 'same-origin',
  });
  window.location.assign('/admin/sign-in');
});
document.getElementById('request-filters').addEventListener('submit', (event) => {
  event.preventDefault();
  show();
});
for (const id of ['dimension', 'range']) document.getElementById(id).addEventListener('change', show);
window.addEventListener('hashchange', show);
show();
