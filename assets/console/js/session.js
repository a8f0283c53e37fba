// Who is logged in, and the CSRF token for their requests.

export const session = {
  agent: null,
  csrf: null,
  shopName: '',
  teams: [],
};

const listeners = new Set();

function emit() {
  for (const fn of listeners) fn(session);
}

/** Store what login/setup/accept or GET /api/me returned. */
export function setSession(data) {
  if (data.agent) session.agent = data.agent;
  if (data.csrf_token) session.csrf = data.csrf_token;
  if (typeof data.shop_name === 'string') session.shopName = data.shop_name;
  if (Array.isArray(data.teams)) session.teams = data.teams;
  emit();
}

/** Replace the agent after PATCH /api/me or an availability change. */
export function updateAgent(agent) {
  session.agent = agent;
  emit();
}

export function setShopName(name) {
  session.shopName = name;
  emit();
}

export function clearSession() {
  session.agent = null;
  session.csrf = null;
  session.shopName = '';
  session.teams = [];
  emit();
}

export function loggedIn() {
  return session.agent !== null;
}

/** Owners and admins manage agents, teams, tokens and shop settings. */
export function isAdmin() {
  const role = session.agent && session.agent.role;
  return role === 'owner' || role === 'admin';
}

/** Subscribe to session changes; returns an unsubscribe function. */
export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
