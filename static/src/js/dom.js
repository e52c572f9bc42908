// Small DOM helpers the other modules share.

// within is root itself when it matches selector, then its matching descendants: what
// htmx.onLoad hands over may be the element of interest or hold it.
export function within(root, selector) {
  const list = root.matches && root.matches(selector) ? [root] : [];
  return list.concat(Array.from(root.querySelectorAll(selector)));
}

// withParams appends a query string (already encoded) to url.
export function withParams(url, query) {
  return url + (url.includes('?') ? '&' : '?') + query;
}

// debounce runs fn once calls to the returned function have paused for ms.
export function debounce(fn, ms) {
  let t;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

export function isDark() {
  return document.documentElement.classList.contains('dark');
}
