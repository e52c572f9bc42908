// Package migrations embeds the numbered SQL migrations so the binary carries its schema.
package migrations

import "embed"

// FS holds every migration file; goose reads them from here.
//
//go:embed *.sql
var FS embed.FS
