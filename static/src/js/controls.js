// The dashboard form's helpers: at least one coin and one currency, the coin search, and the
// controls put back to the view on screen when an update fails.
import { onDateChange } from './dates-input.js';
import { within } from './dom.js';

// keepOne refuses to uncheck the last coin or currency: a view needs one of each, and
// silently falling back to the defaults would show something the user did not choose. It
// checks the box again and says why beside the group.
function keepOne(box) {
  const left = box.form.querySelectorAll('input[name="' + box.name + '"]:checked').length;
  if (left > 0) return false;
  box.checked = true;
  const slot = document.getElementById('error-' + box.name);
  if (slot) {
    slot.textContent = box.name === 'coins'
      ? 'Keep at least one coin: the chart and table need one.'
      : 'Keep at least one currency: the chart and table need one.';
  }
  return true;
}

// matchesSearch says whether a coin's search text holds the query (trimmed, any case).
export function matchesSearch(text, query) {
  const q = query.trim().toLowerCase();
  return q === '' || text.toLowerCase().includes(q);
}

function filterCoins(search) {
  search.closest('fieldset').querySelectorAll('[data-search]').forEach((label) => {
    const item = label.closest('.coin-hover') || label;
    item.classList.toggle('hidden', !matchesSearch(label.getAttribute('data-search'), search.value));
  });
}

// refilterCoins applies the search again to the coin chips a dashboard partial replaced out
// of band; the search box stays.
export function refilterCoins(root) {
  if (!root.matches || !root.matches('[data-coin-options]')) return;
  const fieldset = root.closest('fieldset');
  const search = fieldset && fieldset.querySelector('[data-coin-search]');
  if (search && search.value) filterCoins(search);
}

// The controls always say what the chart and table show: their state is kept after every
// view that arrived, and put back when an update fails.
let shownControls = null;

export function saveControls(root) {
  if (root !== document.body && !(root.matches && root.matches('#results, #table-section'))) return;
  const form = document.getElementById('controls');
  if (!form) return;
  shownControls = Array.from(form.elements, (el) => ({ el, name: el.name, value: el.value, checked: el.checked }));
}

export function restoreControls() {
  const form = document.getElementById('controls');
  if (!form || !shownControls) return;
  for (const saved of shownControls) {
    let el = saved.el.isConnected ? saved.el : null;
    if (!el && (saved.el.type === 'checkbox' || saved.el.type === 'radio')) {
      el = form.querySelector('input[name="' + saved.name + '"][value="' + CSS.escape(saved.value) + '"]');
    } else if (!el) {
      el = form.elements[saved.name];
    }
    if (!el || el instanceof RadioNodeList) continue;
    if (el.type === 'checkbox' || el.type === 'radio') el.checked = saved.checked;
    else el.value = saved.value;
  }
}

// The CSS shows the filters open on wide screens from the first paint; opening the <details>
// there too changes nothing on screen and keeps its state true for assistive technology.
// Phones keep it as the server sent it: closed.
let wide = null;

export function fitFilters(root) {
  if (wide && wide.matches) within(root, '[data-filters]').forEach((d) => { d.open = true; });
}

export function listenControls() {
  wide = window.matchMedia('(min-width: 1024px)');
  wide.addEventListener('change', () => fitFilters(document.body));

  document.addEventListener('change', (e) => {
    const t = e.target;
    if (t.matches('[data-custom-date]')) {
      onDateChange(e);
      return;
    }
    if (t.form && t.matches('input[name="range"]')) {
      const orig = t.form.querySelector('[data-orig]');
      if (orig) orig.remove();
    }
    if (t.matches('[data-coin-search]')) e.stopPropagation();
    if (t.matches('input[name="coins"], input[name="currencies"]') && !t.checked && keepOne(t)) e.stopPropagation();
  }, true);

  document.addEventListener('input', (e) => {
    if (e.target.matches('[data-coin-search]')) filterCoins(e.target);
  });

  document.addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && e.target.matches('[data-coin-search]')) e.preventDefault();
  });

  // A logo that cannot load is removed, uncovering the initials behind it. error does not
  // bubble, hence the capture phase; a logo that failed before this script ran is removed too.
  document.addEventListener('error', (e) => {
    if (e.target.matches && e.target.matches('img[data-logo]')) e.target.remove();
  }, true);
  document.querySelectorAll('img[data-logo]').forEach((img) => {
    if (img.complete && !img.naturalWidth) img.remove();
  });
}
