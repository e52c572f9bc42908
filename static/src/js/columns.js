// Table columns: moved by drag and drop (the new order is loaded as the table partial) or by
// their ‹ › buttons, after which the focus goes back to the moved column's control.
import { withParams } from './dom.js';

// moveColumn is the visible columns' order after dragging from onto target: dropping on a
// column to the right puts the dragged one after it, to the left before it.
export function moveColumn(visible, from, target) {
  const out = visible.slice();
  const rightward = out.indexOf(from) < out.indexOf(target);
  out.splice(out.indexOf(from), 1);
  out.splice(out.indexOf(target) + (rightward ? 1 : 0), 0, from);
  return out;
}

const HEAD = 'th[data-col][draggable="true"]';
let dragged = null;
let refocus = null;

// restoreFocus puts the focus back on the control of the column just moved, or its sort link
// when the column reached an edge, after the table was swapped.
export function restoreFocus(root) {
  if (!refocus || !root.matches || !root.matches('#table-section')) return;
  const el = root.querySelector('[data-testid="' + refocus.testid + '"]') ||
    root.querySelector('[data-testid="sort-' + refocus.col + '"]');
  refocus = null;
  if (el) el.focus();
}

export function listenColumns() {
  document.addEventListener('dragstart', (e) => {
    const th = e.target.closest && e.target.closest(HEAD);
    if (!th) return;
    dragged = th.getAttribute('data-col');
    e.dataTransfer.effectAllowed = 'move';
    e.dataTransfer.setData('text/plain', dragged);
  });
  document.addEventListener('dragover', (e) => {
    const th = dragged && e.target.closest && e.target.closest(HEAD);
    if (!th) return;
    e.preventDefault();
    th.classList.add('drag-over');
  });
  document.addEventListener('dragleave', (e) => {
    const th = e.target.closest && e.target.closest('th[data-col]');
    if (th) th.classList.remove('drag-over');
  });
  document.addEventListener('drop', (e) => {
    const th = dragged && e.target.closest && e.target.closest(HEAD);
    if (!th) return;
    e.preventDefault();
    th.classList.remove('drag-over');
    const target = th.getAttribute('data-col');
    const section = th.closest('#table-section');
    const from = dragged;
    dragged = null;
    if (target === from || !section) return;
    const visible = moveColumn(Array.from(section.querySelectorAll(HEAD), (h) => h.getAttribute('data-col')), from, target);
    const hidden = section.querySelector('input[name="cols"]').value.split(',').filter((c) => !visible.includes(c));
    const url = withParams(section.getAttribute('data-reorder-url'), 'cols=' + visible.concat(hidden).join(','));
    htmx.ajax('GET', url, { target: '#table-section', swap: 'outerHTML', indicator: '#results-wrap' });
  });
  document.addEventListener('dragend', () => { dragged = null; });

  document.addEventListener('click', (e) => {
    const move = e.target.closest && e.target.closest('.col-move');
    if (move) refocus = { testid: move.getAttribute('data-testid'), col: move.closest('th').getAttribute('data-col') };
  });
}
