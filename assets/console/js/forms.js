// Form building and submitting: labels, required markers, inline server
// errors, a submit button that is disabled while the request runs.
import { h } from './dom.js';
import { t } from './i18n.js';

let uid = 0;
const nextId = (name) => `f-${name}-${(uid += 1)}`;

function labelEl(id, label, required) {
  return h('label', { class: 'label', for: id }, label,
    required ? h('span', { class: 'req', 'aria-hidden': 'true' }, ' *') : null);
}

/** A labelled input. Returns the wrapper; the input is `wrap.input`. */
export function field({ label, name, type = 'text', required = false, value, autocomplete, hint, testid, attrs }) {
  const id = nextId(name);
  const input = h('input', {
    id, name, type, class: 'input', value: value ?? '', autocomplete, required, testid,
    'aria-required': required ? 'true' : null, 'data-label': label, ...attrs,
  });
  const wrap = h('div', { class: 'field' }, labelEl(id, label, required), input,
    hint ? h('p', { class: 'hint' }, hint) : null);
  wrap.input = input;
  return wrap;
}

/** A labelled multi-line input. */
export function textArea({ label, name, required = false, value, testid, rows = 3 }) {
  const id = nextId(name);
  const input = h('textarea', { id, name, class: 'input', rows, required, testid, 'data-label': label });
  input.value = value ?? '';
  const wrap = h('div', { class: 'field' }, labelEl(id, label, required), input);
  wrap.input = input;
  return wrap;
}

/** A labelled select; options are [value, label] pairs. */
export function selectField({ label, name, options, value, testid, hint, disabled }) {
  const id = nextId(name);
  const input = h('select', { id, name, class: 'input', testid, disabled },
    options.map(([v, l]) => h('option', { value: v, selected: v === value }, l)));
  const wrap = h('div', { class: 'field' }, labelEl(id, label, false), input,
    hint ? h('p', { class: 'hint' }, hint) : null);
  wrap.input = input;
  return wrap;
}

/** A row of radio buttons that look like a segmented control; options are [value, label, extra]. */
export function segmented({ name, options, value, testid, label, onChange }) {
  return h('div', { class: 'segmented', role: 'radiogroup', testid, 'aria-label': label },
    options.map(([v, text, extra]) => h('label', { class: 'segment', testid: `${testid}-${v}` },
      h('input', { type: 'radio', name, value: v, checked: v === value, onChange: () => onChange(v) }),
      h('span', { class: 'segment-text' }, extra || null, text))));
}

/**
 * A port that follows the encryption chosen in `tls` (a selectField) while it
 * is empty or still one of `defaults`' ports; one typed by hand stays.
 */
export function portFollows(tls, port, defaults) {
  tls.input.addEventListener('change', () => {
    const current = port.input.value.trim();
    if (!current || Object.values(defaults).includes(Number(current))) {
      port.input.value = String(defaults[tls.input.value]);
    }
  });
}

/** The port typed, as a number; undefined when empty (the server picks the default). */
export function portValue(raw, input) {
  if (!raw) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    throw new Error(t('error.invalid_port'));
  }
  return port;
}

/** Read a form's named controls into an object (strings, trimmed except passwords). */
export function formValues(form) {
  const out = {};
  for (const el of form.elements) {
    if (!el.name || el.disabled) continue;
    if (el.type === 'checkbox') {
      if (!out[el.name]) out[el.name] = [];
      if (el.checked) out[el.name].push(el.value);
    } else if (el.type === 'radio') {
      if (el.checked) out[el.name] = el.value;
    } else {
      out[el.name] = el.type === 'password' ? el.value : el.value.trim();
    }
  }
  return out;
}

/**
 * A form with an error area and a submit button. `onSubmit(values)` may
 * throw an Error (e.g. ApiError): its message is shown inline. Required
 * fields are checked here so the messages come in the console's language.
 */
export function form({ children, submitLabel, onSubmit, testid, extraActions, wide = false }) {
  const error = h('p', { class: 'form-error', role: 'alert', testid: 'form-error', hidden: true });
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', testid: testid ? `${testid}-submit` : null },
    submitLabel);
  const el = h('form', { class: ['form', wide && 'form-wide'], novalidate: true, testid },
    children, error, h('div', { class: 'actions' }, extraActions, submit));

  const showError = (msg) => {
    error.textContent = msg;
    error.hidden = !msg;
  };
  el.showError = showError;

  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (submit.disabled) return;
    showError('');
    for (const input of el.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
    const missing = Array.from(el.querySelectorAll('[required]')).find((i) => !i.value.trim());
    if (missing) {
      missing.setAttribute('aria-invalid', 'true');
      missing.focus();
      showError(t('form.required', { field: missing.dataset.label || missing.name }));
      return;
    }
    submit.disabled = true;
    el.setAttribute('aria-busy', 'true');
    try {
      await onSubmit(formValues(el), el);
    } catch (err) {
      showError(err && err.message ? err.message : String(err));
    } finally {
      submit.disabled = false;
      el.removeAttribute('aria-busy');
    }
  });
  return el;
}
