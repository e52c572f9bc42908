package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// runLockKey is the advisory lock that makes fetch runs exclusive across every replica
// sharing the database ("cryptodash" in ASCII, so it is recognisable in pg_locks).
const runLockKey int64 = 0x63727970746f64

// runLock is the cluster-wide fetch-run lock, held on one dedicated connection for as long as
// the run lasts: if the process dies, PostgreSQL ends the session and frees the lock with it.
type runLock struct {
	conn *pgxpool.Conn
}

// TryRunLock takes the run lock without waiting. ok is false when another run, in this process
// or another replica, holds it.
func (s *Store) TryRunLock(ctx context.Context) (lock domain.RunLock, ok bool, err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, false, wrap("acquire run lock connection", err)
	}
	if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, runLockKey).Scan(&ok); err != nil {
		conn.Release()
		return nil, false, wrap("run lock", err)
	}
	if !ok {
		conn.Release()
		return nil, false, nil
	}
	return &runLock{conn: conn}, true, nil
}

// Release frees the lock and its connection. A failed unlock closes the connection instead,
// because a pooled session that still holds the lock would block every later run.
func (l *runLock) Release() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := l.conn.Exec(ctx, `SELECT pg_advisory_unlock($1)`, runLockKey); err != nil {
		_ = l.conn.Conn().Close(ctx)
	}
	l.conn.Release()
}

const runColumns = `id, trigger, status, started_at, finished_at, series_total, series_done,
	windows_total, windows_done, rows_written, samples_dropped, error`

func scanRun(r pgx.CollectableRow) (domain.FetchRun, error) {
	var run domain.FetchRun
	err := r.Scan(&run.ID, &run.Trigger, &run.Status, &run.StartedAt, &run.FinishedAt,
		&run.SeriesTotal, &run.SeriesDone, &run.WindowsTotal, &run.WindowsDone, &run.RowsWritten,
		&run.SamplesDropped, &run.Error)
	return run, err
}

func (s *Store) oneRun(ctx context.Context, op, sql string, args ...any) (domain.FetchRun, error) {
	rows, _ := s.pool.Query(ctx, sql, args...)
	run, err := pgx.CollectExactlyOneRow(rows, scanRun)
	return run, wrap(op, err)
}

// StartRun records a new running run. Called with the run lock held, it first closes any run
// left "running" by a process that died, since holding the lock proves none is alive.
func (s *Store) StartRun(ctx context.Context, trigger domain.Trigger) (domain.FetchRun, error) {
	if _, err := s.pool.Exec(ctx, `UPDATE fetch_runs SET status = 'failed', finished_at = now(),
		error = 'interrupted: the process running it stopped before it finished'
		WHERE status = 'running'`); err != nil {
		return domain.FetchRun{}, wrap("close abandoned runs", err)
	}
	return s.oneRun(ctx, "start run", `INSERT INTO fetch_runs (trigger, status) VALUES ($1, 'running')
		RETURNING `+runColumns, trigger)
}

// UpdateRun records a running run's progress.
func (s *Store) UpdateRun(ctx context.Context, id int64, p domain.RunProgress) error {
	_, err := s.pool.Exec(ctx, `UPDATE fetch_runs SET series_total = $2, series_done = $3,
		windows_total = $4, windows_done = $5, rows_written = $6, samples_dropped = coalesce($7::jsonb, '{}')
		WHERE id = $1`,
		id, p.SeriesTotal, p.SeriesDone, p.WindowsTotal, p.WindowsDone, p.RowsWritten, p.SamplesDropped)
	return wrap(fmt.Sprintf("update run %d", id), err)
}

// FinishRun records how a run ended, with its final progress.
func (s *Store) FinishRun(ctx context.Context, id int64, status domain.RunStatus, p domain.RunProgress, errText string) (domain.FetchRun, error) {
	return s.oneRun(ctx, fmt.Sprintf("finish run %d", id), `UPDATE fetch_runs SET status = $2,
		finished_at = now(), series_total = $3, series_done = $4, windows_total = $5,
		windows_done = $6, rows_written = $7, samples_dropped = coalesce($8::jsonb, '{}'), error = $9
		WHERE id = $1 RETURNING `+runColumns,
		id, status, p.SeriesTotal, p.SeriesDone, p.WindowsTotal, p.WindowsDone, p.RowsWritten, p.SamplesDropped, errText)
}

// Run returns one run by id.
func (s *Store) Run(ctx context.Context, id int64) (domain.FetchRun, error) {
	return s.oneRun(ctx, fmt.Sprintf("run %d", id), `SELECT `+runColumns+` FROM fetch_runs WHERE id = $1`, id)
}

// LatestRun returns the most recently started run, or ErrNotFound before the first one.
func (s *Store) LatestRun(ctx context.Context) (domain.FetchRun, error) {
	return s.oneRun(ctx, "latest run", `SELECT `+runColumns+` FROM fetch_runs ORDER BY started_at DESC, id DESC LIMIT 1`)
}

// RunningRun returns the run in progress, or ErrNotFound when none is.
func (s *Store) RunningRun(ctx context.Context) (domain.FetchRun, error) {
	return s.oneRun(ctx, "running run", `SELECT `+runColumns+` FROM fetch_runs WHERE status = 'running'
		ORDER BY started_at DESC, id DESC LIMIT 1`)
}

// RecentRuns returns up to limit runs, newest first.
func (s *Store) RecentRuns(ctx context.Context, limit int) ([]domain.FetchRun, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+runColumns+` FROM fetch_runs ORDER BY started_at DESC, id DESC LIMIT $1`, limit)
	runs, err := pgx.CollectRows(rows, scanRun)
	return runs, wrap("recent runs", err)
}

// RunStartedSince reports whether any run started at or after t, by the database's clock.
// A scheduled slot is satisfied by such a run, whichever replica started it.
func (s *Store) RunStartedSince(ctx context.Context, t time.Time) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM fetch_runs WHERE started_at >= $1)`, t).Scan(&ok)
	return ok, wrap("runs since", err)
}
