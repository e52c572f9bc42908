// Package route names the URLs of the HTML surface: the template of each route, as the router
// matches it, and one builder per kind of page giving its canonical URL. Package ui's route
// table registers these templates and the templates in package views link with these
// builders, so a URL is written once (miniflux keeps its routes' names the same way).
package route

import (
	"net/url"
	"strings"
)

// Route templates. ":id" is a coin id.
const (
	Dashboard        = "/"
	DashboardPartial = "/partials/dashboard"
	TablePartial     = "/partials/table"
	DashboardCSV     = "/dashboard.csv"
	Coin             = "/coins/:id"
	CoinCard         = "/partials/coins/:id/card"
	CoinCSV          = "/coins/:id/days.csv"
	Status           = "/status"
	StatusPartial    = "/partials/status"
	Login            = "/login"
	Logout           = "/logout"
)

// Expand fills template's ":id" with id, escaped as a path segment.
func Expand(template, id string) string {
	return strings.Replace(template, ":id", url.PathEscape(id), 1)
}

// WithQuery appends an encoded query to path, leaving a bare path when the query is empty: the
// canonical URL of a default view has no "?".
func WithQuery(path, rawQuery string) string {
	if rawQuery == "" {
		return path
	}
	return path + "?" + rawQuery
}

// CoinURL is the page of coin id showing view, the query of its non-default choices (nil for
// the default view, which is the plain /coins/{id}).
func CoinURL(id string, view url.Values) string {
	return WithQuery(Expand(Coin, id), view.Encode())
}

// CoinCSVURL is the download of the days coin id's page shows in view.
func CoinCSVURL(id string, view url.Values) string {
	return WithQuery(Expand(CoinCSV, id), view.Encode())
}

// CoinCardURL is the hover card of coin id, loaded by HTMX where a coin is named.
func CoinCardURL(id string) string {
	return Expand(CoinCard, id)
}

// LoginURL is the login form, sending the person to next (a local URL) once signed in.
func LoginURL(next string) string {
	return WithQuery(Login, url.Values{"next": {next}}.Encode())
}
