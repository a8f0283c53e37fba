// Fetch wrapper for the kefu JSON API: JSON in and out, CSRF header on
// every non-GET request, server errors turned into ApiError with the
// server's (already translated) message and whatever else the error said.
import { session, clearSession } from './session.js';
import { t } from './i18n.js';

export class ApiError extends Error {
  constructor(status, code, message, details = {}) {
    super(message);
    this.status = status;
    this.code = code;
    // The error object as sent, for fields beyond code and message (e.g. `field`).
    this.details = details;
  }
}

let onUnauthorized = () => {};

/** Called on a 401 from any call not marked `public` (the app goes to #/login). */
export function setUnauthorizedHandler(fn) {
  onUnauthorized = fn;
}

/**
 * One request. `opts.public`: a 401 is an answer for the caller (e.g. wrong
 * password) rather than a lost session. `opts.raw`: a Blob sent as the body.
 */
export async function request(method, path, body, opts = {}) {
  const headers = { Accept: 'application/json' };
  const init = { method, headers, credentials: 'same-origin' };
  if (opts.raw) {
    // Raw bytes (an image upload): the body goes as is, with its own type.
    headers['Content-Type'] = opts.raw.type || 'application/octet-stream';
    init.body = opts.raw;
  } else if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET' && session.csrf) headers['X-CSRF-Token'] = session.csrf;

  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, 'network', t('common.network_error'));
  }
  const text = res.status === 204 ? '' : await res.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = null;
    }
  }
  if (!res.ok) {
    const e = data && data.error ? data.error : {};
    const err = new ApiError(res.status, e.code || `http_${res.status}`,
      e.message || t('common.server_error', { status: res.status }), e);
    if (res.status === 401 && !opts.public) {
      clearSession();
      onUnauthorized(err);
    }
    throw err;
  }
  return data;
}

export const api = {
  get: (path, opts) => request('GET', path, undefined, opts),
  post: (path, body, opts) => request('POST', path, body, opts),
  put: (path, body, opts) => request('PUT', path, body, opts),
  patch: (path, body, opts) => request('PATCH', path, body, opts),
  del: (path, opts) => request('DELETE', path, undefined, opts),
  /** POST a file's bytes (Content-Type from the file). */
  upload: (path, blob) => request('POST', path, undefined, { raw: blob }),
};
