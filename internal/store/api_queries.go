package store

import (
	"context"
	"errors"
	"net"
	"strings"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/puddle/v2"
)

// Unavailable reports whether err means the database could not be reached or did not answer
// in time, rather than that a query was wrong. The web layer answers such errors with 503 so a
// load balancer retries elsewhere, and keeps 500 for real bugs; the test lives here so that no
// caller needs to know pgx's error types.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, puddle.ErrClosedPool) || pgconn.Timeout(err) {
		return true
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		// Class 08 is "connection exception"; 57P0x are shutdowns and refusals during start-up;
		// 53300 is too_many_connections.
		return strings.HasPrefix(pgErr.Code, "08") || strings.HasPrefix(pgErr.Code, "57P0") || pgErr.Code == "53300"
	}
	var netErr net.Error
	return errors.As(err, &netErr)
}

// Sessions returns the login session store on the sessions table, shared by every replica.
// It deletes expired sessions every cleanup interval in a goroutine of its own; call
// StopCleanup on it at shutdown. A zero interval never cleans up.
func (s *Store) Sessions(cleanup time.Duration) *pgxstore.PostgresStore {
	return pgxstore.NewWithCleanupInterval(s.pool, cleanup)
}
