package store

import (
	"context"
	"errors"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	"github.com/jackc/pgx/v5"
)

// SessionStore keeps login sessions in the sessions table, shared by every replica. It speaks
// the domain's errors like the rest of the store, so a session read that finds the database
// down is a 503, not a 500, and it reads and writes within the request's context (scs uses
// the Ctx methods when a store has them), so a database that stops answering costs a signed-in
// page its deadline, not the minutes TCP takes to give up.
type SessionStore struct {
	store *Store
	// cleanup deletes expired sessions in the background.
	cleanup *pgxstore.PostgresStore
}

// Sessions returns the login session store. It deletes expired sessions every cleanup
// interval in a goroutine of its own; call StopCleanup on it at shutdown. A zero interval
// never cleans up.
func (s *Store) Sessions(cleanup time.Duration) *SessionStore {
	return &SessionStore{store: s, cleanup: pgxstore.NewWithCleanupInterval(s.pool, cleanup)}
}

// FindCtx returns the data of an unexpired session; found is false for an unknown or expired
// token.
func (s *SessionStore) FindCtx(ctx context.Context, token string) (b []byte, found bool, err error) {
	err = s.store.pool.QueryRow(ctx, `SELECT data FROM sessions WHERE token = $1 AND current_timestamp < expiry`, token).Scan(&b)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, false, nil
	}
	return b, err == nil, wrap("find session", err)
}

// CommitCtx stores a session's data until expiry.
func (s *SessionStore) CommitCtx(ctx context.Context, token string, b []byte, expiry time.Time) error {
	_, err := s.store.pool.Exec(ctx, `INSERT INTO sessions (token, data, expiry) VALUES ($1, $2, $3)
		ON CONFLICT (token) DO UPDATE SET data = EXCLUDED.data, expiry = EXCLUDED.expiry`, token, b, expiry)
	return wrap("commit session", err)
}

// DeleteCtx removes a session.
func (s *SessionStore) DeleteCtx(ctx context.Context, token string) error {
	_, err := s.store.pool.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token)
	return wrap("delete session", err)
}

// Find is FindCtx without a deadline, for scs.Store; scs itself calls FindCtx.
func (s *SessionStore) Find(token string) ([]byte, bool, error) {
	return s.FindCtx(context.Background(), token)
}

// Commit is CommitCtx without a deadline, for scs.Store; scs itself calls CommitCtx.
func (s *SessionStore) Commit(token string, b []byte, expiry time.Time) error {
	return s.CommitCtx(context.Background(), token, b, expiry)
}

// Delete is DeleteCtx without a deadline, for scs.Store; scs itself calls DeleteCtx.
func (s *SessionStore) Delete(token string) error {
	return s.DeleteCtx(context.Background(), token)
}

// StopCleanup stops the goroutine that deletes expired sessions.
func (s *SessionStore) StopCleanup() { s.cleanup.StopCleanup() }
