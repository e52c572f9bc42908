// ESLint for the browser modules in static/src/js (make lint): the recommended rules, browser
// globals plus the two scripts the page loads before ours (HTMX, and ECharts once needed), and
// Node's for the tests.
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['static/js/app.js', 'static/vendor/**', 'node_modules/**', 'deploy/**', 'docs/**'] },
  {
    files: ['static/src/js/**/*.js'],
    ...js.configs.recommended,
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.browser, htmx: 'readonly', echarts: 'readonly' },
    },
    rules: {
      ...js.configs.recommended.rules,
      'no-var': 'error',
      'prefer-const': 'error',
      eqeqeq: 'error',
    },
  },
  {
    // theme.js runs in the head before anything else, as a classic script.
    files: ['static/js/theme.js'],
    ...js.configs.recommended,
    languageOptions: { ecmaVersion: 2019, sourceType: 'script', globals: globals.browser },
  },
  {
    files: ['static/src/js/**/*.test.js'],
    languageOptions: { globals: { ...globals.node } },
  },
];
