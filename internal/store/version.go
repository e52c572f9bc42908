package store

import (
	"context"
	"crypto/rand"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgxlisten"
	"golang.org/x/sync/singleflight"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// dataVersionChannel is the channel migration 00004's trigger notifies when the data version
// is bumped.
const dataVersionChannel = "cryptodash_data_version"

// How the version kept in memory follows the database. While the listening connection is up
// a notification arrives within milliseconds of a commit, and a check every checkListening
// only guards against a connection that died without the socket noticing. While it is down
// (a database restart, a network cut, a failover), the version is read every checkDown
// through the pool, so a replica still sees new data within a second.
const (
	checkListening = 10 * time.Second
	checkDown      = 400 * time.Millisecond
	relistenDelay  = 250 * time.Millisecond
	// heartbeatEvery is how often the replica notifies itself through the pool on a channel
	// of its own, and heartbeatLate how long after the database acknowledged one the
	// listening connection may go without delivering it before it is taken for silently
	// dead (a network that drops packets, which the socket never notices) and replaced:
	// found within about a second, replaced within two.
	heartbeatEvery = 250 * time.Millisecond
	heartbeatLate  = 600 * time.Millisecond
	// versionTimeout bounds one read of the version, so a check stuck on a silent database
	// does not stop the checks that follow.
	versionTimeout = 5 * time.Second
	// catalogTimeout bounds the shared read of the catalog.
	catalogTimeout = 10 * time.Second
)

// ListenerName is the application_name of the connection WatchDataVersion listens on, so an
// operator can tell it apart in pg_stat_activity: it idles for hours by design.
const ListenerName = "cryptodash data version listener"

// versionCache is the data version this process holds in memory, the catalog read at it, and
// the listening connection and checks that keep them current: a type of its own beside Store,
// which reaches it through Store.versions while WatchDataVersion runs and asks the database
// every time otherwise.
type versionCache struct {
	store     *Store
	mu        sync.Mutex
	listening bool
	lastCheck time.Time
	version   domain.DataVersion
	catalog   *versionedCatalog
	loads     singleflight.Group
}

// versionedCatalog is the catalogue read at a data version, with the catalogue version it
// reflects (see nextCatalogVersion): the next read asks only for what changed after that.
type versionedCatalog struct {
	version, catalogVersion int64
	catalog                 domain.Catalog
}

// WatchDataVersion keeps the data version in memory until ctx ends, so that DataVersion and
// Catalog answer without a query: pages and API answers are cached per version, and reading
// it must cost nothing. It reads the version once before it returns, then LISTENs on a
// connection of its own for the notification every bump sends (migration 00004), checking
// through the pool every checkDown whenever that connection is lost. This process's own
// writes update the version as they commit, so the replica that lands data serves it at once.
func (s *Store) WatchDataVersion(ctx context.Context, logger *slog.Logger) error {
	v, err := s.readDataVersion(ctx, s.pool)
	if err != nil {
		return err
	}
	vc := &versionCache{store: s, version: v, lastCheck: time.Now()}
	s.versions.Store(vc)

	// A channel of its own, so that no replica hears the others beat.
	hb := &heartbeat{channel: "cryptodash_heartbeat_" + strings.ToLower(rand.Text())}
	listener := &pgxlisten.Listener{
		Connect: func(ctx context.Context) (*pgx.Conn, error) {
			cfg := s.pool.Config().ConnConfig.Copy()
			cfg.RuntimeParams["application_name"] = ListenerName
			conn, err := s.connect(ctx, cfg)
			if err == nil {
				hb.listening(conn)
			}
			return conn, err
		},
		LogError: func(ctx context.Context, err error) {
			vc.setListening(false)
			if ctx.Err() == nil {
				logger.Warn("data version listener lost its connection; checking the version every "+checkDown.String(), "error", err.Error())
			}
		},
		ReconnectDelay: relistenDelay,
	}
	listener.Handle(dataVersionChannel, versionHandler{vc: vc, logger: logger})
	listener.Handle(hb.channel, hb)
	go func() { _ = listener.Listen(ctx) }()
	go vc.checkVersion(ctx, logger)
	go vc.beat(ctx, hb, logger)
	context.AfterFunc(ctx, func() { s.versions.CompareAndSwap(vc, nil) })
	return nil
}

// versionHandler reads the version when a notification arrives and when listening starts
// (the backlog: whatever changed while no connection listened).
type versionHandler struct {
	vc     *versionCache
	logger *slog.Logger
}

func (h versionHandler) HandleNotification(ctx context.Context, n *pgconn.Notification, conn *pgx.Conn) error {
	// The payload is the new version, but a later bump may already have committed: reading
	// the row gets the newest version and the simulated flag together.
	h.refresh(ctx, conn)
	return nil
}

func (h versionHandler) HandleBacklog(ctx context.Context, _ string, conn *pgx.Conn) error {
	if h.refresh(ctx, conn) {
		h.vc.setListening(true)
	}
	return nil
}

func (h versionHandler) refresh(ctx context.Context, conn *pgx.Conn) bool {
	v, err := h.vc.store.readDataVersion(ctx, conn)
	if err != nil {
		if ctx.Err() == nil {
			h.logger.Warn("read data version", "error", err.Error())
		}
		return false
	}
	h.vc.note(v)
	return true
}

func (vc *versionCache) setListening(on bool) {
	vc.mu.Lock()
	vc.listening = on
	vc.mu.Unlock()
}

// heartbeat is what the replica knows of the notifications it sends itself.
type heartbeat struct {
	channel string
	// heard is the highest sequence number the listening connection delivered.
	heard atomic.Int64

	mu   sync.Mutex
	conn *pgx.Conn
}

func (h *heartbeat) HandleNotification(_ context.Context, n *pgconn.Notification, _ *pgx.Conn) error {
	seq, err := strconv.ParseInt(n.Payload, 10, 64)
	if err != nil {
		return err
	}
	for {
		old := h.heard.Load()
		if seq <= old || h.heard.CompareAndSwap(old, seq) {
			return nil
		}
	}
}

// listening notes the connection the listener now waits on.
func (h *heartbeat) listening(conn *pgx.Conn) {
	h.mu.Lock()
	h.conn = conn
	h.mu.Unlock()
}

// cut closes the listening connection's socket, which ends its wait at once: the listener
// then connects anew, as it does after any lost connection. It reports whether there was a
// connection to cut.
func (h *heartbeat) cut() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.conn == nil {
		return false
	}
	_ = h.conn.PgConn().Conn().Close()
	h.conn = nil
	return true
}

// beat notifies the replica's own heartbeat channel every heartbeatEvery until ctx ends, and
// replaces the listening connection when one the database acknowledged has not arrived
// within heartbeatLate: checkVersion polls meanwhile. A notification the database did not
// acknowledge proves nothing (the database may be away), so it is not waited for.
func (vc *versionCache) beat(ctx context.Context, hb *heartbeat, logger *slog.Logger) {
	tick := time.NewTicker(heartbeatEvery)
	defer tick.Stop()
	var seq, waitingFor int64
	var acked time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		seq++
		sendCtx, cancel := context.WithTimeout(ctx, heartbeatEvery)
		_, err := vc.store.pool.Exec(sendCtx, `SELECT pg_notify($1, $2)`, hb.channel, strconv.FormatInt(seq, 10))
		cancel()
		heard := hb.heard.Load()
		if waitingFor != 0 && heard >= waitingFor {
			waitingFor = 0
		}
		if err == nil && waitingFor == 0 && heard < seq {
			waitingFor, acked = seq, time.Now()
		}
		// A connection cut while it was still setting up to listen hangs as well as one cut
		// while it waits, so any connection the listener holds counts.
		if waitingFor != 0 && time.Since(acked) > heartbeatLate && hb.cut() {
			logger.Warn("data version listener silent: its connection is taken for dead and replaced; checking the version every "+checkDown.String(),
				"late", time.Since(acked).Round(time.Millisecond).String())
			vc.setListening(false)
			waitingFor = 0
		}
	}
}

// checkVersion is the fallback to notifications: it reads the version through the pool every
// checkDown while no connection listens, and every checkListening while one does.
func (vc *versionCache) checkVersion(ctx context.Context, logger *slog.Logger) {
	tick := time.NewTicker(checkDown)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		vc.mu.Lock()
		due := !vc.listening || time.Since(vc.lastCheck) >= checkListening
		vc.mu.Unlock()
		if !due {
			continue
		}
		readCtx, cancel := context.WithTimeout(ctx, versionTimeout)
		v, err := vc.store.readDataVersion(readCtx, vc.store.pool)
		cancel()
		if err != nil {
			if ctx.Err() == nil {
				logger.Debug("check data version", "error", err.Error())
			}
			continue
		}
		vc.note(v)
	}
}

// noteVersion is where a version this process committed (the bump its write's transaction
// made) reaches the cache, so the replica that lands data serves it at once; every write that
// bumps the version calls it after its commit.
func (s *Store) noteVersion(v domain.DataVersion) {
	if vc := s.versions.Load(); vc != nil {
		vc.note(v)
	}
}

// note records a version read from the database or committed by this process. A version only
// grows, so an older one read late never replaces a newer one.
func (vc *versionCache) note(v domain.DataVersion) {
	vc.mu.Lock()
	defer vc.mu.Unlock()
	vc.lastCheck = time.Now()
	if v.Version > vc.version.Version || (v.Version == vc.version.Version && v.Simulated && !vc.version.Simulated) {
		vc.version = v
	}
}

type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

func (s *Store) readDataVersion(ctx context.Context, q querier) (domain.DataVersion, error) {
	var v domain.DataVersion
	err := q.QueryRow(ctx, `SELECT version, simulated, changed_at FROM data_version`).
		Scan(&v.Version, &v.Simulated, &v.ChangedAt)
	return v, wrap("data version", err)
}

// DataVersion tells how far the stored data has changed and whether any of it is simulated;
// pages derive their ETag from it and show a banner when it is simulated. While
// WatchDataVersion runs it is read from memory; otherwise it is one query.
func (s *Store) DataVersion(ctx context.Context) (domain.DataVersion, error) {
	if vc := s.versions.Load(); vc != nil {
		vc.mu.Lock()
		defer vc.mu.Unlock()
		return vc.version, nil
	}
	return s.readDataVersion(ctx, s.pool)
}

// Catalog returns the stored coins and currencies and the newest stored hour. While
// WatchDataVersion runs it is read once per data version, however many requests ask, since
// every change to those tables bumps the version; otherwise it is three queries.
func (s *Store) Catalog(ctx context.Context) (domain.Catalog, error) {
	if vc := s.versions.Load(); vc != nil {
		return vc.catalogAt(ctx)
	}
	return s.readCatalog(ctx)
}

// catalogAt returns the catalog read at the version held, reading it once per version.
func (vc *versionCache) catalogAt(ctx context.Context) (domain.Catalog, error) {
	vc.mu.Lock()
	version, memo := vc.version.Version, vc.catalog
	vc.mu.Unlock()
	if memo != nil && memo.version == version {
		return memo.catalog, nil
	}
	// Concurrent misses of one version share one read. The read starts after the version
	// was known, so it sees at least that version's data: a catalog kept under a version is
	// never older than it. It outlives a caller that hangs up, but not catalogTimeout: a read
	// stuck on a database that stopped answering would hold every later caller of the version.
	ch := vc.loads.DoChan(strconv.FormatInt(version, 10), func() (any, error) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), catalogTimeout)
		defer cancel()
		vc.mu.Lock()
		held := vc.catalog
		vc.mu.Unlock()
		c, err := vc.store.readCatalogAfter(ctx, held)
		if err != nil {
			return nil, err
		}
		c.version = version
		vc.mu.Lock()
		if vc.catalog == nil || vc.catalog.version < version {
			vc.catalog = &c
		}
		vc.mu.Unlock()
		return c.catalog, nil
	})
	select {
	case <-ctx.Done():
		return domain.Catalog{}, wrap("catalog", ctx.Err())
	case r := <-ch:
		if r.Err != nil {
			return domain.Catalog{}, r.Err
		}
		return r.Val.(domain.Catalog), nil
	}
}

// readCatalogAfter reads the catalogue as it is now, starting from held (nil for nothing),
// all in one snapshot: the newest hour (by index), and only the coins and currencies stamped
// after held's catalogue version. Most data-version bumps are a run's prices, which change
// neither, so a run costs each replica a few index lookups a bump, not its 1,000 coins. The
// coins keep the database's order (by name, then id): a changed coin whose name is the same
// keeps its place, and a new coin, a renamed one or a coin gone has them all read again.
func (s *Store) readCatalogAfter(ctx context.Context, held *versionedCatalog) (versionedCatalog, error) {
	var out versionedCatalog
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		var latest *time.Time
		var coins int
		if err := tx.QueryRow(ctx, `SELECT catalog_version, (SELECT max(last_hour) FROM series_stats), (SELECT count(*) FROM coins)
			FROM data_version`).Scan(&out.catalogVersion, &latest, &coins); err != nil {
			return err
		}
		if latest != nil {
			out.catalog.LatestHour = latest.UTC()
		}
		if held != nil && len(held.catalog.Coins) == coins {
			if held.catalogVersion == out.catalogVersion {
				out.catalog.Coins, out.catalog.Currencies = held.catalog.Coins, held.catalog.Currencies
				return nil
			}
			changed, err := coinsWhere(ctx, tx, `WHERE c.catalog_version > $1`, held.catalogVersion)
			if err != nil {
				return err
			}
			if merged, ok := mergeCoins(held.catalog.Coins, changed); ok {
				out.catalog.Coins = merged
				out.catalog.Currencies, err = currencies(ctx, tx)
				return err
			}
		}
		var err error
		if out.catalog.Coins, err = coinsWhere(ctx, tx, ``); err != nil {
			return err
		}
		out.catalog.Currencies, err = currencies(ctx, tx)
		return err
	})
	return out, wrap("catalog", err)
}

// mergeCoins lays changed coins over held (sorted by name, then id) in a new slice, and
// reports false when a changed coin is new or renamed, whose place only the database's
// collation can tell.
func mergeCoins(held, changed []domain.Coin) ([]domain.Coin, bool) {
	out := slices.Clone(held)
	at := make(map[string]int, len(held))
	for i, c := range held {
		at[c.ID] = i
	}
	for _, c := range changed {
		i, ok := at[c.ID]
		if !ok || out[i].Name != c.Name {
			return nil, false
		}
		out[i] = c
	}
	return out, true
}

func (s *Store) readCatalog(ctx context.Context) (domain.Catalog, error) {
	var c domain.Catalog
	var err error
	if c.Coins, err = s.Coins(ctx); err != nil {
		return c, err
	}
	if c.Currencies, err = s.Currencies(ctx); err != nil {
		return c, err
	}
	c.LatestHour, err = s.LatestHour(ctx)
	if errors.Is(err, domain.ErrNotFound) {
		err = nil
	}
	return c, err
}

// versionEvery is the least time between two data-version bumps a run's writes cause. Each
// bump empties every replica's answer cache and has it read the catalog again, so a run of
// 10,000 series bumps a few hundred times at most, not once per stored window, and a reader
// sees new data within versionEvery of its commit.
const versionEvery = 5 * time.Second

// owedBump is whether this process committed data that no bump has announced yet, and when it
// last bumped.
type owedBump struct {
	mu    sync.Mutex
	owed  bool
	last  time.Time
	flush sync.Mutex
}

// noteDataChanged records that a write committed new data and bumps the version when it is
// due: at once for a write outside a run (no fence in ctx), and for a run's writes when the
// last bump is versionEvery old; FinishRun announces the rest. A bump that fails stays owed:
// the next write, or the end of the run (FlushDataVersion), makes it.
func (s *Store) noteDataChanged(ctx context.Context) {
	s.bumps.mu.Lock()
	s.bumps.owed = true
	due := fenceArg(ctx) == nil || time.Since(s.bumps.last) >= versionEvery
	s.bumps.mu.Unlock()
	if due {
		_ = s.FlushDataVersion(ctx)
	}
}

// FlushDataVersion bumps the data version if this process's writes committed data since its
// last bump. FinishRun calls it, so a run's last windows are announced when it ends.
func (s *Store) FlushDataVersion(ctx context.Context) error {
	s.bumps.flush.Lock()
	defer s.bumps.flush.Unlock()
	s.bumps.mu.Lock()
	owed := s.bumps.owed
	s.bumps.owed = false
	s.bumps.mu.Unlock()
	if !owed {
		return nil
	}
	var v domain.DataVersion
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		v, err = bumpVersion(ctx, tx)
		return err
	})
	s.bumps.mu.Lock()
	if err != nil {
		s.bumps.owed = true
	} else {
		s.bumps.last = time.Now()
	}
	s.bumps.mu.Unlock()
	if err != nil {
		return wrap("bump data version", err)
	}
	s.noteVersion(v)
	return nil
}
