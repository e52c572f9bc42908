// A view that could not be updated says so in a toast, and the controls go back to the view
// on screen; a hover card says itself when it fails.
import { cardTrigger } from './cards.js';
import { restoreControls } from './controls.js';

const TOAST_MS = 8000;
let toastTimer;

function toast(message) {
  let box = document.getElementById('toast');
  if (!box) {
    box = document.createElement('div');
    box.id = 'toast';
    box.setAttribute('role', 'alert');
    box.setAttribute('data-testid', 'toast');
    box.className = 'fixed inset-x-3 bottom-3 z-50 mx-auto max-w-md rounded-lg bg-rose-600 px-4 py-3 text-sm font-medium text-white shadow-lg';
    document.body.appendChild(box);
  }
  box.textContent = message;
  box.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { box.hidden = true; }, TOAST_MS);
}

function viewFailed(e, message) {
  if (cardTrigger(e)) return;
  restoreControls();
  toast(message + ' The controls are back to the view on screen.');
}

export function listenErrors() {
  document.addEventListener('htmx:responseError', (e) => {
    const status = e.detail.xhr ? e.detail.xhr.status : 0;
    viewFailed(e, 'Could not update the view (HTTP ' + status + ').');
  });
  document.addEventListener('htmx:sendError', (e) => {
    viewFailed(e, 'The server could not be reached; check your connection and try again.');
  });
  document.addEventListener('htmx:timeout', (e) => {
    viewFailed(e, 'The server took too long to answer; try again.');
  });
}
