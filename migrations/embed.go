// Package migrations embeds the numbered SQL migrations so the binary carries its schema.
package migrations

import "embed"

// FS holds every migration file; goose reads them from here.
//
// goose applies them in the order of their numbers, which need not be consecutive: there is
// no 00003, 00010 or 00011, numbers no commit in this repository ever used. A new migration
// takes a number above the highest, since one below would be out of order on every database
// already past it.
//
//go:embed *.sql
var FS embed.FS
