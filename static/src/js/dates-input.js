// Typed dates commit once. While a date is typed, Chrome reports a change for every keystroke
// that happens to make a valid date (typing 2026 passes through years 2, 20 and 202), so once
// a key has been pressed in a date input its changes are held back (in the capture phase,
// before HTMX's listener on the form) and the form is sent when the focus leaves the input or
// on Enter, with one history entry. A change with no key pressed (the calendar picker) commits
// at once. A committed date means a custom range, and choosing a range by hand ends a zoom, so
// the range a zoom replaced (orig) is no longer sent.

const DATE = '[data-custom-date]';

// typing holds the date inputs a key was pressed in since their last commit.
const typing = new WeakSet();

// prepareDates readies the form to send typed dates, unless they are the ones on screen. It
// reports whether there is anything to send.
export function prepareDates(input) {
  const form = input.form;
  typing.delete(input);
  const last = input.hasAttribute('data-committed') ? input.getAttribute('data-committed') : input.defaultValue;
  if (!form || !input.value || input.value === last) return false;
  form.querySelectorAll(DATE).forEach((d) => d.setAttribute('data-committed', d.value));
  const custom = form.querySelector('input[name="range"][value="custom"]');
  if (custom) custom.checked = true;
  const orig = form.querySelector('[data-orig]');
  if (orig) orig.remove();
  return true;
}

function commitDates(input) {
  if (prepareDates(input)) htmx.trigger(input.form, 'datecommit');
}

// onDateChange handles a change event of a date input: held while typing, else committed.
export function onDateChange(e) {
  e.stopPropagation();
  if (!typing.has(e.target)) commitDates(e.target);
}

export function listenDates() {
  document.addEventListener('keydown', (e) => {
    if (!e.target.matches || !e.target.matches(DATE)) return;
    // Enter submits the form by itself, which sends the typed dates once.
    if (e.key === 'Enter') prepareDates(e.target);
    else if (e.key !== 'Tab') typing.add(e.target);
  }, true);

  // Moving between a date input's own day, month and year fields also reports a focusout
  // (Chrome moves the focus to the body for an instant), so the date commits only if, once
  // the focus change this event belongs to is over (the next task), the focus has left the
  // input itself.
  document.addEventListener('focusout', (e) => {
    const input = e.target;
    if (!input.matches || !input.matches(DATE)) return;
    setTimeout(() => {
      if (document.activeElement !== input) commitDates(input);
    }, 0);
  });
}
