/** Tailwind scans the templ sources, the app script's modules and Go code of the UI for class names. */
/** @type {import('tailwindcss').Config} */
module.exports = {
  content: ['./views/**/*.templ', './static/src/js/*.js', './static/js/theme.js', './internal/ui/**/*.go'],
  darkMode: 'class',
  theme: {
    extend: {
      fontFamily: {
        sans: ['Inter', 'ui-sans-serif', 'system-ui', '-apple-system', 'Segoe UI', 'Roboto', 'sans-serif'],
      },
    },
  },
  plugins: [],
};
