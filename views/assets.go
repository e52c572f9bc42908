// Package views holds the templ layout, pages, partials and components of cryptodash's web UI.
// Templates take typed props structs filled by internal/ui and never query anything themselves.
package views

import "github.com/cryptodash/cryptodash/static"

// Asset URLs are resolved once at start so that a missing asset stops the process at boot
// instead of breaking a page later.
var (
	cssURL     = static.Path("css/app.css")
	themeURL   = static.Path("js/theme.js")
	appURL     = static.Path("js/app.js")
	htmxURL    = static.Path("vendor/htmx.min.js")
	echartsURL = static.Path("vendor/echarts.min.js")
	faviconURL = static.Path("img/favicon.svg")
)

// htmxConfig turns off what the page cannot allow or does not want: HTMX's indicator styles
// arrive as an inline <style> and its eval paths as inline script, both outside the CSP; the
// history snapshot cache would restore dead chart canvases, and a history restore must fetch
// the full page as a plain request (not an HX-Request), so it never needs a partial. 400 and
// 404 answers are swapped like successes: their bodies are the messages the user should see
// (a bad selection, an unknown coin's card).
const htmxConfig = `{"includeIndicatorStyles":false,"allowEval":false,"allowScriptTags":false,` +
	`"historyCacheSize":0,"historyRestoreAsHxRequest":false,"selfRequestsOnly":true,` +
	`"responseHandling":[{"code":"204","swap":false},{"code":"[23]..","swap":true},` +
	`{"code":"40[04]","swap":true,"error":false},{"code":"[45]..","swap":false,"error":true}]}`
