// Package store is the only place that speaks SQL: it owns the connection pool, applies the
// embedded migrations and reads and writes every table.
package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/jackc/puddle/v2"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/migrations"
)

// Store reads and writes cryptodash's tables through one pgx pool.
type Store struct {
	pool *pgxpool.Pool
	// versions is the data version and catalog held in memory while WatchDataVersion runs;
	// nil otherwise.
	versions atomic.Pointer[versionCache]
	leases   leaseSessions
	writes   writeHealth
	// credentials, when set, give the user and password of every new connection.
	credentials Credentials
	// bumps is the data version this process's writes still owe readers.
	bumps owedBump
	// partitions are the months of prices_hourly_packed known to have a partition.
	partitions partitionSet
}

// Connection defaults, each applied only when DATABASE_URL does not set it. A request waits
// for the database within its own deadline (the web layer's, about 10 s); these bound what
// the database itself may take, so that a hung server or a lock held too long never holds a
// connection for minutes.
const (
	// connectTimeout bounds dialling and the start-up handshake: a database whose address
	// swallows packets answers nothing, and the driver's own default is two minutes.
	connectTimeout = 5 * time.Second
	// statementTimeout is PostgreSQL's statement_timeout. Pages' queries take milliseconds and
	// a fetch window's writes well under a second; the longest statement here, a migration,
	// should be given more through DATABASE_URL (?statement_timeout=10min) if it ever needs it.
	statementTimeout = "30s"
)

// New returns a store on the database at databaseURL without connecting: connections are
// made as queries need them, and a query finds the database down (domain.ErrDatabaseDown)
// until it answers. serve starts on it, so that it can answer 503s while it waits for the
// database; Open is for commands that need the database at once.
func New(databaseURL string, opts ...Option) (*Store, error) {
	s := &Store{}
	for _, o := range opts {
		o(s)
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	// Every query here is short; PostgreSQL's JIT, on by default, would spend tens of
	// milliseconds compiling plans whose estimates tiny tables (11 coins) inflate.
	if _, set := cfg.ConnConfig.RuntimeParams["jit"]; !set {
		cfg.ConnConfig.RuntimeParams["jit"] = "off"
	}
	// A transaction left idle means its client is gone (killed, or its network cut): every
	// transaction here sends its statements back to back. Without this limit such a
	// transaction would keep its row locks, the run lease's among them, until TCP keepalive
	// gave up on the client, hours later.
	if _, set := cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"]; !set {
		cfg.ConnConfig.RuntimeParams["idle_in_transaction_session_timeout"] = "10s"
	}
	if _, set := cfg.ConnConfig.RuntimeParams["statement_timeout"]; !set {
		cfg.ConnConfig.RuntimeParams["statement_timeout"] = statementTimeout
	}
	// A session whose client is cut off by the network mid-statement (a COPY waiting for
	// its rows, which neither timeout above ends) holds its locks until the server learns the
	// client is gone. Keepalive probes after 10 s of silence, every 5 s, tell it after about
	// 25 s that nobody answers; the connection check every 5 s ends a statement whose client
	// closed its end while the statement ran. Each applies only where DATABASE_URL sets none.
	for param, value := range map[string]string{
		"tcp_keepalives_idle":              "10",
		"tcp_keepalives_interval":          "5",
		"tcp_keepalives_count":             "3",
		"client_connection_check_interval": "5s",
	} {
		if _, set := cfg.ConnConfig.RuntimeParams[param]; !set {
			cfg.ConnConfig.RuntimeParams[param] = value
		}
	}
	// The same probes from this end, so a replica learns as soon as the server does that a
	// connection leads nowhere, rather than after the system's default of two hours.
	dialer := &net.Dialer{KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: 10 * time.Second, Interval: 5 * time.Second, Count: 3}}
	cfg.ConnConfig.DialFunc = dialer.DialContext
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	// pgxpool's default of max(4, CPUs) starves a small task during a backfill: the fetch
	// workers take up to four connections and the lease heartbeat one, beside the web requests.
	if !strings.Contains(databaseURL, "pool_max_conns") {
		cfg.MaxConns = 12
	}
	if s.credentials != nil {
		cfg.BeforeConnect = s.withCredentials
	}
	// NewWithConfig connects nothing while MinConns is 0, so it cannot fail for want of a
	// database; the context only matters to connections made at once.
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("connection pool: %w", err)
	}
	s.pool = pool
	return s, nil
}

// Credentials returns the database user and password to connect with now. They are asked for
// on every new connection, so a password rotated while the process runs is picked up by the
// next connection, and the connections already open carry on.
type Credentials func(ctx context.Context) (user, password string, err error)

// Option adjusts a Store made by New or Open.
type Option func(*Store)

// WithCredentials connects with the user and password c gives, over those of the URL.
func WithCredentials(c Credentials) Option {
	return func(s *Store) { s.credentials = c }
}

// withCredentials is the pool's BeforeConnect: it puts the current credentials into the
// connection's configuration.
func (s *Store) withCredentials(ctx context.Context, cc *pgx.ConnConfig) error {
	user, password, err := s.credentials(ctx)
	if err != nil {
		return fmt.Errorf("database credentials: %w", err)
	}
	cc.User, cc.Password = user, password
	return nil
}

// connect opens one connection outside the pool, with the pool's credentials.
func (s *Store) connect(ctx context.Context, cc *pgx.ConnConfig) (*pgx.Conn, error) {
	if s.credentials != nil {
		cc = cc.Copy()
		if err := s.withCredentials(ctx, cc); err != nil {
			return nil, err
		}
	}
	return pgx.ConnectConfig(ctx, cc)
}

// Open connects to the database at databaseURL, creating the database first when it does not
// exist, so that `make run` works on a fresh PostgreSQL with nothing but a server.
func Open(ctx context.Context, databaseURL string, opts ...Option) (*Store, error) {
	s, err := New(databaseURL, opts...)
	if err != nil {
		return nil, err
	}
	if err := s.EnsureDatabase(ctx); err != nil {
		s.Close()
		return nil, err
	}
	if err := s.pool.Ping(ctx); err != nil {
		s.Close()
		return nil, fmt.Errorf("connect to %s: %w", target(s.pool.Config().ConnConfig), err)
	}
	return s, nil
}

// closeWait bounds Close. pgx closes a connection cut off mid-statement by sending a cancel
// request over a new connection, and gives that up to 15 s: on a silent network a stopping
// process would wait that long, past a container's stop timeout, for nothing the operating
// system does not do anyway when the process exits.
const closeWait = 3 * time.Second

// Close releases every connection of the pool, waiting at most closeWait for connections
// that cannot be closed cleanly; those go when the process does.
func (s *Store) Close() {
	s.leases.release(0, true)
	done := make(chan struct{})
	go func() {
		s.pool.Close()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(closeWait):
	}
}

// Ping checks the database answers.
func (s *Store) Ping(ctx context.Context) error { return s.pool.Ping(ctx) }

// target names the database a configuration points at, for messages. It is built from the
// parsed settings rather than the URL, so a password can reach no log wherever the URL
// carried it (its user part, ?password=, ?sslpassword=).
func target(cc *pgx.ConnConfig) string {
	return fmt.Sprintf("database %q on %s as user %q", cc.Database, net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port))), cc.User)
}

// EnsureDatabase creates the store's database through the server's maintenance database
// when it is missing. Replicas starting together on a missing database take turns under an
// advisory lock, and one that loses a race all the same (PostgreSQL checks a new database's
// name only as its creation commits, answering duplicate_database or a unique violation on
// pg_database) finds the database there, which is all it wanted.
func (s *Store) EnsureDatabase(ctx context.Context) error {
	cc := s.pool.Config().ConnConfig
	name := cc.Database
	conn, err := s.connect(ctx, cc)
	if err == nil {
		return conn.Close(ctx)
	}
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) || pgErr.Code != "3D000" {
		return wrap(fmt.Sprintf("connect to database %q", name), err)
	}
	admin := cc.Copy()
	admin.Database = "postgres"
	conn, err = s.connect(ctx, admin)
	if err != nil {
		return wrap(fmt.Sprintf("database %q is missing and the server's postgres database is unreachable to create it", name), err)
	}
	defer conn.Close(ctx)
	// The lock is the session's, so closing the connection releases it whatever happens.
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(hashtextextended('cryptodash: create database ' || $1, 0))`, name); err != nil {
		return wrap("lock database creation", err)
	}
	var exists bool
	if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil || exists {
		return wrap("look for database "+name, err)
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	if errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505") {
		return nil
	}
	return wrap(fmt.Sprintf("create database %q", name), err)
}

// Migrate applies every pending migration. Goose holds a PostgreSQL session lock while it
// works, so replicas starting at the same moment apply each migration exactly once.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer db.Close()
	provider, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("migrations: %w", err)
	}
	results, err := provider.Up(ctx)
	if err != nil {
		return nil, wrap("migrate", err)
	}
	if err := s.EnsurePartitionsAhead(ctx); err != nil {
		return nil, err
	}
	applied := make([]string, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Path)
	}
	return applied, nil
}

// MarkSimulated records that prices from the CoinGecko simulator were stored. It never clears:
// once simulated prices are in the tables, no page may present the data as real. With a fence
// in ctx it writes only while that fence holds the lease.
func (s *Store) MarkSimulated(ctx context.Context) error {
	var vs []domain.DataVersion
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `UPDATE data_version SET simulated = true, version = version + 1, changed_at = now()
			WHERE NOT simulated RETURNING version, simulated, changed_at`)
		var err error
		if vs, err = pgx.CollectRows(rows, scanVersion); err != nil {
			return err
		}
		return holdsLease(ctx, tx)
	})
	if err == nil {
		for _, v := range vs {
			s.noteVersion(v)
		}
	}
	return wrap("mark simulated", err)
}

// writeHealth remembers whether the last write failed because the database could not write
// (domain.ErrStorageFull): reads and pings go on working on a full disk, so only writes tell.
type writeHealth struct {
	mu  sync.Mutex
	err error
}

// note records the outcome of a write and returns err: a write the database could not make
// sets the failure, any write that succeeds clears it, and other errors say nothing of it.
func (w *writeHealth) note(err error) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case err == nil:
		w.err = nil
	case errors.Is(err, domain.ErrStorageFull):
		w.err = err
	}
	return err
}

// WriteFailure returns the error of this process's last write to the price and reference
// tables when the database could not make it (a full disk), nil once a write succeeds again.
func (s *Store) WriteFailure() error {
	s.writes.mu.Lock()
	defer s.writes.mu.Unlock()
	return s.writes.err
}

// Counts returns the row count of each table, for the health endpoint. The price tables are
// counted on write (series_stats), so this reads one small row per series, never the prices;
// the other tables hold a row per coin or per run.
func (s *Store) Counts(ctx context.Context) (domain.Counts, error) {
	var c domain.Counts
	err := s.pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM coins), (SELECT count(*) FROM currencies),
		(SELECT coalesce(sum(hours), 0) FROM series_stats), (SELECT coalesce(sum(days), 0) FROM series_stats),
		(SELECT count(*) FROM coin_metadata), (SELECT count(*) FROM fetch_runs)`).
		Scan(&c.Coins, &c.Currencies, &c.HourlyRows, &c.DailyRows, &c.MetadataRow, &c.FetchRuns)
	return c, wrap("counts", err)
}

// wrap names the operation that failed and speaks the domain's errors, so callers never need
// to know about pgx: "no rows" becomes ErrNotFound, a database that cannot be reached or
// does not answer in time becomes ErrDatabaseDown (answered with 503, so a load balancer
// retries elsewhere, where a wrong query stays a 500), and data the database refuses becomes
// ErrRejected (a fetch run fails that series alone and goes on with the others).
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("%s: %w", op, domain.ErrNotFound)
	}
	if unreachable(err) {
		if refused(err) {
			return fmt.Errorf("%s: %w", op, databaseDown{err: err, sentinel: domain.ErrDatabaseBusy})
		}
		return fmt.Errorf("%s: %w", op, databaseDown{err: err, sentinel: domain.ErrDatabaseDown})
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (strings.HasPrefix(pgErr.Code, "22") || strings.HasPrefix(pgErr.Code, "23")) {
		return fmt.Errorf("%s: %w", op, rejected{err})
	}
	// Disk full (53100), out of memory (53200) or a failed write of a file (58030): the same
	// write succeeds once an operator frees space, so it is a passing fault, like a database
	// that is away.
	if errors.As(err, &pgErr) && (pgErr.Code == "53100" || pgErr.Code == "53200" || pgErr.Code == "58030") {
		return fmt.Errorf("%s: %w", op, databaseDown{err: err, sentinel: domain.ErrStorageFull})
	}
	return fmt.Errorf("%s: %w", op, err)
}

// rejected is a driver error that refuses the data itself (SQLSTATE class 22 or 23): it reads
// as the driver's message and is domain.ErrRejected to callers.
type rejected struct{ err error }

func (e rejected) Error() string   { return e.err.Error() }
func (e rejected) Unwrap() []error { return []error{domain.ErrRejected, e.err} }

// refused reports whether the database turned a new connection away for now rather than
// being away: its connection slots, or the role's, are taken (53300), or it is starting or
// recovering (57P03). A connection is likely to be had in a moment.
func refused(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "53300" || pgErr.Code == "57P03")
}

// databaseDown is a driver error that means the database is away, or busy. It reads as the
// driver's own message in logs and is its sentinel (domain.ErrDatabaseDown, or
// domain.ErrDatabaseBusy, which is ErrDatabaseDown too) to callers.
type databaseDown struct{ err, sentinel error }

func (e databaseDown) Error() string   { return e.err.Error() }
func (e databaseDown) Unwrap() []error { return []error{e.sentinel, e.err} }

// unreachable reports whether err means the database could not be reached or did not answer
// in time, rather than that a query was wrong.
func unreachable(err error) bool {
	if err == nil {
		return false
	}
	// ErrConnClosed is a statement on a connection an earlier network fault already closed.
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, puddle.ErrClosedPool) || errors.Is(err, pgconn.ErrConnClosed) || pgconn.Timeout(err) {
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
