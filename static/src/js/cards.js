// Coin hover cards: loaded by HTMX on the first hover of their trigger and kept once loaded;
// one that failed says so and loads again on the next hover. An open card is placed in the
// viewport with fixed positioning, since absolute positioning would leave it inside the
// table's horizontal scroll box, which clips it on a phone.

const CARD_FAILED = 'Could not load the details. Hover again to retry.';

// cardTrigger is the hover element an HTMX event is about: request events fire on the
// trigger itself, swap events on its .coin-card-pop.
export function cardTrigger(e) {
  let t = e.target;
  if (t && t.matches && t.matches('.coin-card-pop')) t = t.closest('.coin-hover');
  return t && t.matches && t.matches('.coin-hover') ? t : null;
}

// cardPlace is where a card of size w by h goes for a trigger's rectangle r in a viewport of
// vw by vh: below the trigger, or above it when there is no room below, and never past the
// window's sides (8 px from them).
export function cardPlace(r, w, h, vw, vh) {
  const left = Math.max(8, Math.min(r.left, vw - w - 8));
  const above = r.bottom + h > vh - 8 && r.top - h >= 8;
  return { left, top: above ? r.top - h : r.bottom, above };
}

function placeCard(trigger) {
  const pop = trigger.querySelector('.coin-card-pop');
  if (!pop) return;
  pop.classList.add('is-fixed');
  pop.classList.remove('is-above');
  const at = cardPlace(trigger.getBoundingClientRect(), pop.offsetWidth, pop.offsetHeight,
    document.documentElement.clientWidth, document.documentElement.clientHeight);
  // The gap that lets the pointer move onto the card sits on the side facing the trigger.
  pop.classList.toggle('is-above', at.above);
  pop.style.left = at.left + 'px';
  pop.style.top = at.top + 'px';
}

function cardFailed(e) {
  const t = cardTrigger(e);
  if (!t || t.hasAttribute('data-card-loaded')) return;
  const pop = t.querySelector('.coin-card-pop');
  if (!pop) return;
  const msg = document.createElement('span');
  msg.className = 'card block p-3 text-sm text-slate-500 dark:text-slate-400';
  msg.setAttribute('data-testid', 'coin-card-failed');
  msg.textContent = CARD_FAILED;
  pop.replaceChildren(msg);
}

// closeCards closes the open card (a hover keeps it open otherwise) until the pointer leaves
// its trigger.
function closeCards() {
  document.querySelectorAll('.coin-hover:hover').forEach((t) => t.classList.add('card-closed'));
}

export function listenCards() {
  document.addEventListener('htmx:beforeRequest', (e) => {
    const t = cardTrigger(e);
    if (t && t.hasAttribute('data-card-loaded')) e.preventDefault();
  });
  document.addEventListener('htmx:afterSwap', (e) => {
    const t = cardTrigger(e);
    if (!t) return;
    t.setAttribute('data-card-loaded', '');
    placeCard(t);
  });
  for (const name of ['htmx:sendAbort', 'htmx:sendError', 'htmx:timeout', 'htmx:responseError']) {
    document.addEventListener(name, cardFailed);
  }
  // The card is display:none until the trigger is hovered, so it is measured a frame later,
  // once the browser shows it.
  document.addEventListener('mouseover', (e) => {
    const t = e.target.closest && e.target.closest('.coin-hover');
    if (t) requestAnimationFrame(() => placeCard(t));
  });
  document.addEventListener('mouseleave', (e) => {
    const t = e.target.closest && e.target.closest('.coin-hover');
    if (t && e.target === t) t.classList.remove('card-closed');
  }, true);
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') closeCards();
  });
  // An open card follows its trigger when the page or the table scrolls.
  window.addEventListener('scroll', () => {
    document.querySelectorAll('.coin-hover:hover').forEach(placeCard);
  }, true);
}
