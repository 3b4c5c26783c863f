/**
 * The login page: the only HTML served without a login. When no user exists yet it says exactly how to create
 * the first admin (there are no default credentials).
 */
export const LOGIN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Storegate — log in</title>
<style>body{font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem}
label{display:block;margin:.8rem 0 .2rem}input{width:100%;padding:.4rem;box-sizing:border-box}
button{margin-top:1rem;padding:.5rem 1.2rem}#msg{margin-top:1rem;color:#a00}
#setup{background:#fff7d6;padding:.8rem;border:1px solid #e0c060}code{font-size:.95em}</style></head>
<body><h1>Storegate</h1>
<div id="setup" hidden><p><strong>No user exists yet.</strong></p>
<p>On the gateway, run:</p><p><code>storegate user add &lt;name&gt; --role admin</code></p>
<p>It prints a one-time password (or asks for one with <code>--password-prompt</code>). Then reload this page.</p></div>
<form id="login" hidden><label for="name">User</label><input id="name" name="name" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button></form><p id="msg" role="alert"></p>
<script>
const form = document.getElementById('login');
const msg = document.getElementById('msg');
fetch('/api/auth/status').then((r) => r.json()).then((s) => {
  if (s.users) form.hidden = false; else document.getElementById('setup').hidden = false;
});
form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  msg.textContent = '';
  const res = await fetch('/api/auth/login', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: form.name.value, password: form.password.value }),
  });
  if (res.ok) {
    const next = new URLSearchParams(location.search).get('next');
    location.href = next && next.startsWith('/') && !next.startsWith('//') ? next : '/dashboard/';
  } else {
    const body = await res.json().catch(() => ({}));
    msg.textContent = (body.error && body.error.message) || 'login failed (' + res.status + ')';
  }
});
</script></body></html>
`;
