package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cryptodash/cryptodash/internal/domain"
)

const runColumns = `id, trigger, status, started_at, finished_at, series_total, series_done,
	windows_total, windows_done, rows_written, samples_dropped, hours_missing, error`

func scanRun(r pgx.CollectableRow) (domain.FetchRun, error) {
	var run domain.FetchRun
	err := r.Scan(&run.ID, &run.Trigger, &run.Status, &run.StartedAt, &run.FinishedAt,
		&run.SeriesTotal, &run.SeriesDone, &run.WindowsTotal, &run.WindowsDone, &run.RowsWritten,
		&run.SamplesDropped, &run.HoursMissing, &run.Error)
	return run, err
}

func (s *Store) oneRun(ctx context.Context, op, sql string, args ...any) (domain.FetchRun, error) {
	rows, _ := s.pool.Query(ctx, sql, args...)
	run, err := pgx.CollectExactlyOneRow(rows, scanRun)
	return run, wrap(op, err)
}

// StartRun claims the run lease and records a new running run, in one transaction, so that
// the lease is never held without a running row to report and a running row never lacks its
// lease. Fences start at 1: a zero fence means nothing was claimed, and run is then the run
// that made a new one unnecessary (the one holding the lease, or the one that satisfied
// claim.UnlessStartedSince). Runs left running by holders that vanished are closed on the way.
//
// The claim is made on a connection the store keeps for the run until FinishRun, and the
// lease names that connection's session: a claim finds the lease free, whatever its expiry,
// once that session has ended (its process was killed, or the database restarted), since
// then no renewal and no fenced write can come from it; and free when claim.Reclaim asks for
// a lease its own holder left behind.
func (s *Store) StartRun(ctx context.Context, claim domain.RunClaim) (run domain.FetchRun, fence domain.Fence, err error) {
	// The maintenance step before every run: the months ahead get their partitions.
	if err := s.EnsurePartitionsAhead(ctx); err != nil {
		return run, 0, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return run, 0, wrap("start run", err)
	}
	err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		// FOR UPDATE waits for the fenced writes in flight, which share-lock this row until
		// they commit: whatever a previous holder wrote lands before the lease changes hands.
		var held bool
		var holderRun *int64
		if err := tx.QueryRow(ctx, `SELECT l.expires_at > clock_timestamp() AND NOT (l.holder = $1 AND $2)
				AND (l.holder_pid IS NULL OR EXISTS (SELECT 1 FROM pg_stat_activity a
					WHERE a.pid = l.holder_pid AND a.backend_start = l.holder_backend_start)),
				l.run_id
			FROM fetch_lease l FOR UPDATE OF l`, claim.Holder, claim.Reclaim).
			Scan(&held, &holderRun); err != nil {
			return fmt.Errorf("read run lease: %w", err)
		}
		// A held lease whose run row an operator deleted is claimed anyway: its fence stops
		// the old holder at its next write.
		if held && holderRun != nil {
			rows, _ := tx.Query(ctx, `SELECT `+runColumns+` FROM fetch_runs WHERE id = $1`, *holderRun)
			run, err = pgx.CollectExactlyOneRow(rows, scanRun)
			return err
		}
		if !claim.UnlessStartedSince.IsZero() {
			rows, _ := tx.Query(ctx, `SELECT `+runColumns+` FROM fetch_runs WHERE started_at >= $1
				ORDER BY started_at DESC, id DESC LIMIT 1`, claim.UnlessStartedSince)
			run, err = pgx.CollectExactlyOneRow(rows, scanRun)
			if !errors.Is(err, pgx.ErrNoRows) {
				return err
			}
		}
		// The lease is free, so nothing still running is alive.
		if _, err := tx.Exec(ctx, `UPDATE fetch_runs SET status = 'failed', finished_at = now(), error = $1
			WHERE status = 'running'`, lapsedRunError); err != nil {
			return fmt.Errorf("close abandoned runs: %w", err)
		}
		// clock_timestamp(), not the transaction's start: a claim that waited for the previous
		// holder to finish starts after it finished.
		rows, _ := tx.Query(ctx, `INSERT INTO fetch_runs (trigger, status, started_at)
			VALUES ($1, 'running', clock_timestamp()) RETURNING `+runColumns, claim.Trigger)
		if run, err = pgx.CollectExactlyOneRow(rows, scanRun); err != nil {
			return fmt.Errorf("insert run: %w", err)
		}
		return tx.QueryRow(ctx, `UPDATE fetch_lease SET token = token + 1, holder = $1, run_id = $2,
			acquired_at = clock_timestamp(), expires_at = clock_timestamp() + make_interval(secs => $3), `+thisSession+`
			RETURNING token`, claim.Holder, run.ID, claim.TTL.Seconds()).Scan(&fence)
	})
	if err != nil || fence == 0 {
		conn.Release()
		return run, fence, wrap("start run", err)
	}
	s.leases.pin(fence, run.ID, conn)
	return run, fence, nil
}

// thisSession sets the lease's session to the one running the statement.
const thisSession = `holder_pid = pg_backend_pid(),
	holder_backend_start = (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid())`

// leaseSessions are the connections whose sessions hold run leases this process claimed, by
// fence: each is kept out of the pool from its claim to its run's end, so that the session
// the lease names lives exactly as long as the holder can renew through it.
type leaseSessions struct {
	mu    sync.Mutex
	conns map[domain.Fence]leaseSession
}

type leaseSession struct {
	runID int64
	conn  *pgxpool.Conn
}

func (l *leaseSessions) pin(fence domain.Fence, runID int64, conn *pgxpool.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.conns == nil {
		l.conns = map[domain.Fence]leaseSession{}
	}
	l.conns[fence] = leaseSession{runID: runID, conn: conn}
}

// take removes and returns the connection kept for fence, if any; its user pins it again.
func (l *leaseSessions) take(fence domain.Fence) (leaseSession, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	ls, ok := l.conns[fence]
	delete(l.conns, fence)
	return ls, ok
}

// release returns to the pool the connections kept for runID (or for every run, when all),
// which destroys those a fault broke.
func (l *leaseSessions) release(runID int64, all bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for f, ls := range l.conns {
		if all || ls.runID == runID {
			ls.conn.Release()
			delete(l.conns, f)
		}
	}
}

// lapsedRunError is the error of a run closed because its lease lapsed; the run itself, if
// it still lives, replaces it with what it knows when it can reach the database again.
const lapsedRunError = "interrupted: its process stopped renewing the run lease (it stopped, or lost the database), or its database session ended, before the run finished; the next run fetches what is missing"

// RenewRunLease extends the lease held under fence to ttl from now by the database's clock,
// through the connection kept for it since the claim, or a new one, kept from then on, when
// a fault broke that one: the lease then names the new session. It returns
// domain.ErrLeaseLost when the lease expired or another run claimed it: an expired lease is
// never revived, since another replica may already have acted on its lapse.
func (s *Store) RenewRunLease(ctx context.Context, fence domain.Fence, ttl time.Duration) error {
	ls, _ := s.leases.take(fence)
	for tries := 1; ; tries++ {
		if ls.conn == nil {
			conn, err := s.pool.Acquire(ctx)
			if err != nil {
				return wrap("renew run lease", err)
			}
			ls.conn = conn
		}
		var runID *int64
		err := ls.conn.QueryRow(ctx, `UPDATE fetch_lease SET expires_at = clock_timestamp() + make_interval(secs => $2), `+thisSession+`
			WHERE token = $1 AND expires_at > clock_timestamp() RETURNING run_id`, fence, ttl.Seconds()).Scan(&runID)
		if err == nil {
			if runID != nil {
				ls.runID = *runID
			}
			s.leases.pin(fence, ls.runID, ls.conn)
			return nil
		}
		ls.conn.Release()
		ls.conn = nil
		// The kept connection may have died quietly since the last renewal (a database
		// restart, an idle connection cut), and so may the pool's idle ones: a few more tries
		// on other connections tell whether the database is really away.
		if tries < 3 && unreachable(err) && ctx.Err() == nil {
			continue
		}
		if errors.Is(err, pgx.ErrNoRows) {
			err = domain.ErrLeaseLost
		}
		return wrap("renew run lease", err)
	}
}

// RunLease reads the run lease, for a claim that found it held and waits for it to lapse.
func (s *Store) RunLease(ctx context.Context) (domain.Lease, error) {
	var l domain.Lease
	var remaining float64
	err := s.pool.QueryRow(ctx, `SELECT token, holder, expires_at,
			CASE WHEN expires_at > clock_timestamp() THEN extract(epoch FROM expires_at - clock_timestamp())::float8 ELSE 0 END
		FROM fetch_lease`).Scan(&l.Fence, &l.Holder, &l.ExpiresAt, &remaining)
	l.Remaining = time.Duration(remaining * float64(time.Second))
	return l, wrap("run lease", err)
}

// fenceHeld is the fence check of a write: true while the fence given as its argument (NULL
// for a write outside any run) still holds an unexpired lease. FOR SHARE makes a claim wait
// until the checking transaction has committed; claims take the row FOR UPDATE.
func fenceHeld(arg string) string {
	return `(` + arg + `::bigint IS NULL OR EXISTS (SELECT 1 FROM fetch_lease
		WHERE token = ` + arg + ` AND expires_at > clock_timestamp() FOR SHARE))`
}

// fenceArg is the fence ctx carries as a query argument, nil when it carries none.
func fenceArg(ctx context.Context) *int64 {
	if f, ok := domain.FenceOf(ctx); ok {
		n := int64(f)
		return &n
	}
	return nil
}

// holdsLease is the fence check of a write transaction, run last before it commits, so that
// the share lock it takes is held only for the commit: a claim waits for that commit, and a
// write that did not pass rolls back. It returns domain.ErrLeaseLost when the fence ctx
// carries no longer holds the lease.
func holdsLease(ctx context.Context, tx pgx.Tx) error {
	fence := fenceArg(ctx)
	if fence == nil {
		return nil
	}
	var held bool
	if err := tx.QueryRow(ctx, `SELECT `+fenceHeld("$1"), fence).Scan(&held); err != nil {
		return fmt.Errorf("check run lease: %w", err)
	}
	if !held {
		return domain.ErrLeaseLost
	}
	return nil
}

// CloseLapsedRuns marks failed every run still running whose lease lapsed, because the
// process running it is gone. The pipeline's sweep calls it as often as a holder renews its
// lease, and StartRun closes such runs as it claims the lease; reads of runs never write, so
// a dead run reads as running until one of the two has run. It returns how many runs it
// closed.
func (s *Store) CloseLapsedRuns(ctx context.Context) (int64, error) {
	// now() is the statement's start, the instant its snapshot of the lease was taken; a
	// later clock could call a lease lapsed that a renewal the snapshot missed extended.
	tag, err := s.pool.Exec(ctx, `UPDATE fetch_runs r SET status = 'failed', finished_at = now(), error = $1
		WHERE status = 'running' AND NOT EXISTS (SELECT 1 FROM fetch_lease l
			WHERE l.run_id = r.id AND l.expires_at > now())`, lapsedRunError)
	return tag.RowsAffected(), wrap("close lapsed runs", err)
}

// UpdateRun records a running run's progress. With a fence in ctx it writes only while that
// fence holds the lease, and returns domain.ErrLeaseLost otherwise.
func (s *Store) UpdateRun(ctx context.Context, id int64, p domain.RunProgress) error {
	fence := fenceArg(ctx)
	tag, err := s.pool.Exec(ctx, `UPDATE fetch_runs SET series_total = $2, series_done = $3,
		windows_total = $4, windows_done = $5, rows_written = $6, samples_dropped = coalesce($7::jsonb, '{}')
		WHERE id = $1 AND `+fenceHeld("$8"),
		id, p.SeriesTotal, p.SeriesDone, p.WindowsTotal, p.WindowsDone, p.RowsWritten, p.SamplesDropped, fence)
	if err == nil && tag.RowsAffected() == 0 && fence != nil {
		err = domain.ErrLeaseLost
	}
	return wrap(fmt.Sprintf("update run %d", id), err)
}

// FinishRun records how a run ended, with its final progress, and releases the run lease the
// run holds, in one statement: between the two a trigger would find the lease held by a run
// that has ended. With a fence in ctx it writes only while that fence holds the lease, and
// returns domain.ErrLeaseLost otherwise. A run that lost its lease records its end without
// one, and only while its row still says running: once the claim that took the lease over (or
// the sweep of lapsed runs) closed the row, the run writes nothing, so the history never
// shows it outliving the start of the next; it gets domain.ErrNotFound then.
func (s *Store) FinishRun(ctx context.Context, id int64, status domain.RunStatus, p domain.RunProgress, errText string) (domain.FetchRun, error) {
	// The run's last windows are announced now. A bump that fails stays owed to the next
	// write or finish; the run's outcome is recorded either way.
	_ = s.FlushDataVersion(ctx)
	fence := fenceArg(ctx)
	run, err := s.oneRun(ctx, fmt.Sprintf("finish run %d", id), `WITH lease AS (
			UPDATE fetch_lease SET expires_at = clock_timestamp()
			WHERE run_id = $1 AND expires_at > clock_timestamp() AND ($10::bigint IS NULL OR token = $10)
			RETURNING token)
		UPDATE fetch_runs SET status = $2, finished_at = now(), series_total = $3, series_done = $4,
			windows_total = $5, windows_done = $6, rows_written = $7, samples_dropped = coalesce($8::jsonb, '{}'), error = $9,
			hours_missing = $11
		WHERE id = $1 AND CASE WHEN $10::bigint IS NULL THEN status = 'running' ELSE EXISTS (SELECT 1 FROM lease) END
		RETURNING `+runColumns,
		id, status, p.SeriesTotal, p.SeriesDone, p.WindowsTotal, p.WindowsDone, p.RowsWritten, p.SamplesDropped, errText, fence, p.HoursMissing)
	// Whatever the outcome, the run is over: its session need not hold anything any more.
	s.leases.release(id, false)
	if errors.Is(err, domain.ErrNotFound) && fence != nil {
		return run, fmt.Errorf("finish run %d: %w", id, domain.ErrLeaseLost)
	}
	return run, err
}

// Run returns one run by id, as stored: a run whose process died reads as running until
// CloseLapsedRuns or the next StartRun closes it.
func (s *Store) Run(ctx context.Context, id int64) (domain.FetchRun, error) {
	return s.oneRun(ctx, fmt.Sprintf("run %d", id), `SELECT `+runColumns+` FROM fetch_runs WHERE id = $1`, id)
}

// LatestRun returns the most recently started run, or ErrNotFound before the first one. Like
// Run, it only reads.
func (s *Store) LatestRun(ctx context.Context) (domain.FetchRun, error) {
	return s.oneRun(ctx, "latest run", `SELECT `+runColumns+` FROM fetch_runs ORDER BY started_at DESC, id DESC LIMIT 1`)
}

// RecentRuns returns up to limit runs, newest first. Like Run, it only reads.
func (s *Store) RecentRuns(ctx context.Context, limit int) ([]domain.FetchRun, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+runColumns+` FROM fetch_runs ORDER BY started_at DESC, id DESC LIMIT $1`, limit)
	runs, err := pgx.CollectRows(rows, scanRun)
	return runs, wrap("recent runs", err)
}
