package store

import (
	"time"

	"github.com/alexedwards/scs/pgxstore"
)

// Sessions returns the login session store on the sessions table, shared by every replica.
// It deletes expired sessions every cleanup interval in a goroutine of its own; call
// StopCleanup on it at shutdown. A zero interval never cleans up.
func (s *Store) Sessions(cleanup time.Duration) *pgxstore.PostgresStore {
	return pgxstore.NewWithCleanupInterval(s.pool, cleanup)
}
