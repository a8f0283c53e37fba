// Line icons drawn for kefu on a 24×24 grid (stroke, no fill).
import { s } from './dom.js';

const P = (d) => ['path', { d }];
const C = (cx, cy, r) => ['circle', { cx, cy, r }];

const ICONS = {
  inbox: [P('M3.5 13.5 6.2 5.8A1.5 1.5 0 0 1 7.6 4.8h8.8a1.5 1.5 0 0 1 1.4 1L20.5 13.5V18a1.5 1.5 0 0 1-1.5 1.5H5A1.5 1.5 0 0 1 3.5 18z'),
    P('M3.5 13.5H8l1.2 2.5h5.6l1.2-2.5h4.5')],
  ticket: [P('M4 6.5h16v3.2a2.3 2.3 0 0 0 0 4.6v3.2H4v-3.2a2.3 2.3 0 0 0 0-4.6z'),
    P('M14.5 7.5v1.6M14.5 11.2v1.6M14.5 14.9v1.6')],
  book: [P('M5 5.5A2 2 0 0 1 7 3.5h12v14H7a2 2 0 0 0-2 2z'), P('M5 19.5a2 2 0 0 0 2 1h12v-3'),
    P('M9 8h6M9 11h4')],
  chart: [P('M4 20h16'), P('M7 16.5v-5M12 16.5V6.5M17 16.5v-8')],
  settings: [P('M4 7h9M17 7h3M4 12h3M11 12h9M4 17h11M19 17h1'), C(15, 7, 2), C(9, 12, 2), C(17, 17, 2)],
  user: [C(12, 8.5, 3.8), P('M4.8 20a7.2 7.2 0 0 1 14.4 0')],
  users: [C(9, 8.5, 3.3), P('M3 19.5a6 6 0 0 1 12 0'), P('M15.5 5.6a3.2 3.2 0 0 1 0 6M17.5 14a6 6 0 0 1 3.5 5.5')],
  key: [C(8, 15, 4), P('M11 12 19.5 3.5M16.5 6.5l2.5 2.5M14.5 8.5l2 2')],
  shop: [P('M4 9.5 5.5 4.5h13L20 9.5'), P('M4 9.5a2.7 2.7 0 0 0 5.3 0 2.7 2.7 0 0 0 5.4 0 2.7 2.7 0 0 0 5.3 0'),
    P('M5.5 11.5v8h13v-8M10 19.5v-4.5h4v4.5')],
  plus: [P('M12 5v14M5 12h14')],
  close: [P('M6 6l12 12M18 6 6 18')],
  copy: [P('M8.5 8.5h10v11h-10z'), P('M15.5 8.5v-3h-10v11h3')],
  globe: [C(12, 12, 8.5), P('M3.5 12h17M12 3.5c2.4 2.4 3.5 5.2 3.5 8.5s-1.1 6.1-3.5 8.5c-2.4-2.4-3.5-5.2-3.5-8.5s1.1-6.1 3.5-8.5z')],
  check: [P('M5 12.5l4.5 4.5L19 7.5')],
  back: [P('M15 5.5 8.5 12l6.5 6.5')],
  send: [P('M4.5 11.6 19.5 4.5l-4.6 15-3.2-6.3z'), P('M11.7 13.2 19.5 4.5')],
  search: [C(10.5, 10.5, 6), P('M15 15l5 5')],
  more: [C(5.5, 12, 0.9), C(12, 12, 0.9), C(18.5, 12, 0.9)],
  note: [P('M5 4.5h14v10l-5 5H5z'), P('M14 19.5v-5h5'), P('M8.5 9h7M8.5 12.5h4')],
  clock: [C(12, 12, 8.5), P('M12 7.5V12l3 2')],
  assign: [C(10, 8.5, 3.5), P('M3.5 19.5a6.5 6.5 0 0 1 12.2-3.1'), P('M18 14.5v6M15 17.5h6')],
  info: [C(12, 12, 8.5), P('M12 11v5.5M12 7.6v.2')],
  ticks: [P('M2.5 12.5 6.5 16.5 15 7.5'), P('M11 15.5l1 1L20.5 7.5')],
  reopen: [P('M5 12a7 7 0 1 0 2.1-5'), P('M5 4.5v4h4')],
  bell: [P('M6.5 16.5V11a5.5 5.5 0 0 1 11 0v5.5l1.5 2H5z'), P('M10 20.5h4')],
  keyboard: [P('M3.5 6.5h17v11h-17z'), P('M7 10h.01M10.3 10h.01M13.7 10h.01M17 10h.01M8 14h8')],
  logout: [P('M14 4.5H6.5v15H14'), P('M10.5 12H20M16.5 8.5 20 12l-3.5 3.5')],
};

/** An inline SVG icon, hidden from screen readers (labels carry the meaning). */
export function icon(name, cls = 'icon') {
  const parts = ICONS[name] || [];
  return s('svg', { class: cls, viewBox: '0 0 24 24', 'aria-hidden': 'true', focusable: 'false' },
    parts.map(([tag, attrs]) => s(tag, attrs)));
}
