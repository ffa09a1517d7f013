const form = document.getElementById('sign-in');
const message = document.getElementById('message');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  message.textContent = 'Signing in…';
  const token = document.getElementById('token').value;
  const response = await fetch('/admin/api/session', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token }),
    credentials: 'same-origin',
  });
  if (response.ok) {
    window.location.assign('/admin');
    return;
  }
  const body = await response.json().catch(() => ({}));
  message.textContent = body?.error?.message ?? `Sign-in failed (${response.status}).`;
});
