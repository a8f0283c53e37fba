// Hash routing: "#/settings/teams" → path "/settings/teams".

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
