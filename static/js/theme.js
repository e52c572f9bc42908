// Loaded synchronously in <head> so the dark class is set before the first paint; the choice
// persists in localStorage and otherwise follows the system's colour scheme.
(function () {
  var stored = null;
  try { stored = localStorage.getItem('theme'); } catch { /* storage may be blocked */ }
  var dark = stored ? stored === 'dark' : window.matchMedia('(prefers-color-scheme: dark)').matches;
  document.documentElement.classList.toggle('dark', dark);
  // Scripts run: styles that only make sense with app.js (the hover cards) may apply.
  document.documentElement.classList.add('js');
})();
