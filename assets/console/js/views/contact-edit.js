// Editing a customer's profile (name, email, phone, VIP tier, tags, notes)
// and merging a duplicate into them.
import { api } from '../api.js';
import { contactName } from '../desk.js';
import { field, form, textArea } from '../forms.js';
import { t } from '../i18n.js';
import { confirmDialog, openDialog, toast } from '../ui.js';

/** "vip, 回头客，wholesale" → ["vip", "回头客", "wholesale"] (commas of either width). */
export function parseTags(text) {
  const out = [];
  for (const part of text.split(/[,，、]/)) {
    const tag = part.trim();
    if (tag && !out.includes(tag)) out.push(tag);
  }
  return out;
}

/** Only what the agent changed, in the shape PATCH /api/contacts/{id} takes. */
function changes(p, v) {
  const out = {};
  const same = (a, b) => (a || '') === (b || '');
  if (!same(v.name, p.name)) out.name = v.name;
  if (!same(v.email, p.email)) out.email = v.email;
  if (!same(v.phone, p.phone)) out.phone = v.phone;
  if (!same(v.vip_tier, p.vip_tier)) out.vip_tier = v.vip_tier || null;
  if (!same(v.notes, p.notes)) out.notes = v.notes;
  const tags = parseTags(v.tags);
  if (tags.join('\n') !== (p.tags || []).join('\n')) out.tags = tags;
  return out;
}

/** The edit dialog; `onSaved(profile)` after the server stored it. */
export function editContact(p, onSaved) {
  const dlg = openDialog({ title: t('inbox.contact.edit_title'), testid: 'contact-edit-dialog' });
  const notes = textArea({ label: t('inbox.contact.notes'), name: 'notes', value: p.notes, rows: 4,
    testid: 'contact-notes-input' });
  const f = form({
    testid: 'contact-form',
    submitLabel: t('common.save'),
    children: [
      field({ label: t('field.name'), name: 'name', value: p.name, testid: 'contact-name-input',
        autocomplete: 'off' }),
      field({ label: t('field.email'), name: 'email', type: 'email', value: p.email, testid: 'contact-email-input',
        autocomplete: 'off' }),
      field({ label: t('inbox.contact.phone'), name: 'phone', type: 'tel', value: p.phone,
        testid: 'contact-phone-input', autocomplete: 'off' }),
      field({ label: t('inbox.contact.vip'), name: 'vip_tier', value: p.vip_tier, testid: 'contact-vip-input',
        hint: t('inbox.contact.vip_hint') }),
      field({ label: t('inbox.contact.tags'), name: 'tags', value: (p.tags || []).join(', '),
        testid: 'contact-tags-input', hint: t('inbox.contact.tags_hint') }),
      notes,
    ],
    onSubmit: async (v) => {
      // formValues trims; notes keep their inner line breaks.
      const body = changes(p, { ...v, notes: notes.input.value.trim() });
      if (!Object.keys(body).length) {
        dlg.close();
        return;
      }
      const saved = await api.patch(`/api/contacts/${p.id}`, body);
      dlg.close();
      toast(t('inbox.contact.saved'));
      onSaved(saved);
    },
  });
  dlg.body.append(f);
  f.querySelector('input').focus();
}

/**
 * Ask, then merge `other` into `keep` (other's conversations, identities and
 * orders move over; other is deleted). Resolves true when merged.
 */
export async function confirmMerge(keep, other) {
  const ok = await confirmDialog({
    title: t('inbox.contact.merge_title'),
    message: t('inbox.contact.merge_confirm', { other: contactName(other), keep: contactName(keep) }),
    confirmLabel: t('inbox.contact.merge'),
  });
  if (!ok) return false;
  try {
    await api.post(`/api/contacts/${keep.id}/merge`, { other_id: other.id });
    toast(t('inbox.contact.merged', { other: contactName(other) }));
    return true;
  } catch (err) {
    toast(err.message, 'error');
    return false;
  }
}
