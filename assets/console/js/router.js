// Hash routing: "#/settings/teams" → path "/settings/teams". A view with
// unsaved work can hold the way out (guardLeave): the hash is put back and
// the view asks first.

/** The current route path, always starting with "/". */
export function currentPath() {
  const raw = location.hash.replace(/^#/, '');
  return raw.startsWith('/') ? raw : '/';
}

/** Go to a path; `replace` keeps the current entry out of history. */
export function go(path, { replace = false } = {}) {
  const target = `#${path}`;
  if (location.hash === target) {
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else if (replace) {
    history.replaceState(null, '', target);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    location.hash = target;
  }
}

/**
 * Match a path against patterns like "/invite/:token".
 * Returns { pattern, params } or null.
 */
export function match(patterns, path) {
  const parts = path.split('/').filter(Boolean);
  for (const pattern of patterns) {
    const pp = pattern.split('/').filter(Boolean);
    if (pp.length !== parts.length) continue;
    const params = {};
    let ok = true;
    for (let i = 0; i < pp.length; i += 1) {
      if (pp[i].startsWith(':')) {
        try {
          params[pp[i].slice(1)] = decodeURIComponent(parts[i]);
        } catch {
          ok = false;
        }
      } else if (pp[i] !== parts[i]) {
        ok = false;
      }
      if (!ok) break;
    }
    if (ok) return { pattern, params };
  }
  return null;
}

// The path last shown, and the guard of the view on it (if any).
let here = currentPath();
let guard = null;

/**
 * While `dirty()` is true, leaving the current path (a link, Back, closing the
 * tab) asks first: `ask()` resolves true to leave. The guard ends when the path
 * changes; the returned function ends it sooner.
 */
export function guardLeave(dirty, ask) {
  const g = { dirty, ask, path: currentPath() };
  guard = g;
  return () => {
    if (guard === g) guard = null;
  };
}

/** For the hashchange listener: true when the change is held back for the guard to ask. */
export function holdLeave() {
  const next = currentPath();
  const g = guard;
  if (!g || next === g.path || !g.dirty()) {
    if (g && next !== g.path) guard = null;
    here = next;
    return false;
  }
  // Back on the page with the unsaved work while the question is asked.
  history.replaceState(null, '', `#${here}`);
  g.ask().then((leave) => {
    if (!leave) return;
    if (guard === g) guard = null;
    go(next);
  });
  return true;
}

window.addEventListener('beforeunload', (ev) => {
  if (guard && guard.path === currentPath() && guard.dirty()) ev.preventDefault();
});
