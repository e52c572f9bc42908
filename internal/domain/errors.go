package domain

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// ErrNotFound is returned when a looked-up thing does not exist.
var ErrNotFound = errors.New("not found")

// ErrUnavailable marks errors that say "not now" rather than "never": the process is shutting
// down or a dependency (the database) is away. The web layer answers them with 503 so callers
// retry.
var ErrUnavailable = errors.New("temporarily unavailable")

// ErrDatabaseDown is ErrUnavailable because the database cannot be reached or does not answer
// in time; the store wraps every such failure with it.
var ErrDatabaseDown = fmt.Errorf("the database is not answering: %w", ErrUnavailable)

// ErrStorageFull is ErrUnavailable because the database cannot write for want of disk space
// or memory (SQLSTATE 53100, 53200, 58030): reads still work, and writes will once space is
// freed.
var ErrStorageFull = fmt.Errorf("the database cannot write for want of space: %w", ErrUnavailable)

// ErrLeaseLost is returned by a fenced write, or by renewing a run lease, once the run no
// longer holds the lease: it expired, or another run claimed it. The run must stop.
var ErrLeaseLost = errors.New("the run lease is no longer held")

// ErrRejected marks data the database refused as invalid (SQLSTATE class 22, data exception,
// or 23, integrity constraint violation): the same write would fail again, so it dooms the
// series it came from, but says nothing about the others.
var ErrRejected = errors.New("the database rejected the data")

// ErrDatabaseBusy is ErrDatabaseDown because the database turned a new connection away for
// now (every connection slot taken, or the server starting): a request that waits a moment
// is likely to get one.
var ErrDatabaseBusy = fmt.Errorf("the database has no connection to spare: %w", ErrDatabaseDown)

// FieldErrors is bad input: a message per parameter, naming what it accepts. Every problem
// of a request is collected, so a client fixes its request in one go. The API answers it as a
// 400 with the map beside the message; the dashboard shows each message next to its control.
type FieldErrors map[string]string

// Add records problem for param unless param already has one: the first problem found is
// usually the one that explains the rest.
func (e FieldErrors) Add(param, problem string) {
	if _, dup := e[param]; !dup {
		e[param] = problem
	}
}

// Err returns e as an error, or nil when no parameter was bad.
func (e FieldErrors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// Error lists the problems in parameter order, so the same request always reads the same.
func (e FieldErrors) Error() string {
	parts := make([]string, 0, len(e))
	for _, k := range slices.Sorted(maps.Keys(e)) {
		parts = append(parts, k+": "+e[k])
	}
	return "invalid parameters: " + strings.Join(parts, "; ")
}
