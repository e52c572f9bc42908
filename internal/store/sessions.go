package store

import (
	"time"

	"github.com/alexedwards/scs/pgxstore"
)

// SessionStore keeps login sessions in the sessions table, shared by every replica. It speaks
// the domain's errors like the rest of the store, so a session read that finds the database
// down is a 503, not a 500.
type SessionStore struct {
	pg *pgxstore.PostgresStore
}

// Sessions returns the login session store. It deletes expired sessions every cleanup
// interval in a goroutine of its own; call StopCleanup on it at shutdown. A zero interval
// never cleans up.
func (s *Store) Sessions(cleanup time.Duration) *SessionStore {
	return &SessionStore{pg: pgxstore.NewWithCleanupInterval(s.pool, cleanup)}
}

// Find returns the data of an unexpired session; found is false for an unknown or expired
// token.
func (s *SessionStore) Find(token string) (b []byte, found bool, err error) {
	b, found, err = s.pg.Find(token)
	return b, found, wrap("find session", err)
}

// Commit stores a session's data until expiry.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return wrap("commit session", s.pg.Commit(token, b, expiry))
}

// Delete removes a session.
func (s *SessionStore) Delete(token string) error {
	return wrap("delete session", s.pg.Delete(token))
}

// StopCleanup stops the goroutine that deletes expired sessions.
func (s *SessionStore) StopCleanup() { s.pg.StopCleanup() }
