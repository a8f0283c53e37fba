// Telling the agent about a customer message while the tab is hidden: a
// short chime made with WebAudio and/or a browser notification. The agent
// picks both in Profile; the choice is kept on this device.
import { t } from './i18n.js';
import { go } from './router.js';

const KEYS = { sound: 'kefu.notify.sound', desktop: 'kefu.notify.desktop' };
const DEFAULTS = { sound: true, desktop: false };

let audio = null;

function readFlag(name) {
  try {
    const v = localStorage.getItem(KEYS[name]);
    return v === null ? DEFAULTS[name] : v === '1';
  } catch {
    return DEFAULTS[name];
  }
}

/** { sound, desktop } as chosen on this device. */
export function notifyPrefs() {
  return { sound: readFlag('sound'), desktop: readFlag('desktop') };
}

export function setNotifyPref(name, on) {
  try {
    localStorage.setItem(KEYS[name], on ? '1' : '0');
  } catch {
    // No storage (private mode): the choice lasts for this page only.
  }
}

/** "granted", "denied", "default" or "unsupported". */
export function desktopPermission() {
  return 'Notification' in window ? Notification.permission : 'unsupported';
}

/** Ask the browser for permission; call from a click. Resolves to the permission. */
export async function askDesktopPermission() {
  if (!('Notification' in window)) return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

// Browsers only let a page make sound after the person has interacted with
// it, so the audio context is created on the first click or key press.
function unlockAudio() {
  const Ctx = window.AudioContext || window.webkitAudioContext;
  if (!Ctx) return;
  try {
    if (!audio) audio = new Ctx();
    if (audio.state === 'suspended') audio.resume().catch(() => {});
  } catch {
    audio = null;
  }
}

/** Listen for the first gesture that allows sound. Call once at start. */
export function prepareSound() {
  const once = { capture: true, passive: true };
  document.addEventListener('pointerdown', unlockAudio, once);
  document.addEventListener('keydown', unlockAudio, once);
}

/** Two soft rising notes, about a third of a second. */
export function chime() {
  unlockAudio();
  if (!audio || audio.state !== 'running') return false;
  const start = audio.currentTime + 0.01;
  [[660, 0], [990, 0.14]].forEach(([freq, offset]) => {
    const osc = audio.createOscillator();
    const gain = audio.createGain();
    osc.type = 'sine';
    osc.frequency.value = freq;
    const at = start + offset;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.18, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.22);
    osc.connect(gain).connect(audio.destination);
    osc.start(at);
    osc.stop(at + 0.25);
  });
  return true;
}

/** A customer wrote while the tab is hidden: sound and/or notification. */
export function announceMessage({ conversationId, title, body }) {
  const prefs = notifyPrefs();
  if (prefs.sound) chime();
  if (!prefs.desktop || desktopPermission() !== 'granted') return;
  try {
    const n = new Notification(title || t('notify.new_message'), {
      body: body || '',
      tag: `kefu-conversation-${conversationId}`,
    });
    n.addEventListener('click', () => {
      window.focus();
      go(`/inbox/${conversationId}`);
      n.close();
    });
  } catch {
    // Some browsers only allow notifications from a service worker.
  }
}
