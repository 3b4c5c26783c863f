// The "not allowed" page: log out and log in as someone with the needed role.
document.getElementById('switch').addEventListener('click', async () => {
  const csrf = /(?:^|; )sg_csrf=([^;]+)/.exec(document.cookie)?.[1] ?? '';
  await fetch('/api/auth/logout', { method: 'POST', headers: { 'x-csrf-token': csrf } }).catch(() => {});
  location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
});
