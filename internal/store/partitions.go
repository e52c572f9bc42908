package store

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// monthsAhead is how many months past the current one EnsurePartitionsAhead creates, so the
// hours of the coming month never wait for a partition even if no run starts for weeks.
const monthsAhead = 2

// partitionSet remembers the months known to have a partition, so a write asks the database
// only about a month it has not met.
type partitionSet struct {
	mu     sync.Mutex
	months map[time.Time]bool
}

func (p *partitionSet) missing(from, to time.Time) []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []time.Time
	for m := monthOf(from); !m.After(to); m = m.AddDate(0, 1, 0) {
		if !p.months[m] {
			out = append(out, m)
		}
	}
	return out
}

func (p *partitionSet) add(months []time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.months == nil {
		p.months = map[time.Time]bool{}
	}
	for _, m := range months {
		p.months[m] = true
	}
}

func monthOf(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// EnsurePartitions creates the monthly partitions of prices_hourly_packed that the days from
// one to another fall in, where missing. RDS has no TimescaleDB to create them; this is the
// app's maintenance step, run on start and before every run (EnsurePartitionsAhead) and by
// every write for the months of its own days. Replicas creating the same month take turns
// on an advisory lock, and each creation commits on its own, so no write's transaction holds
// the lock on the parent table that creating a partition takes.
func (s *Store) EnsurePartitions(ctx context.Context, from, to time.Time) error {
	months := s.partitions.missing(from, to)
	if len(months) == 0 {
		return nil
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('cryptodash: partitions', 0))`); err != nil {
			return err
		}
		for _, m := range months {
			name := "prices_hourly_packed_" + m.Format("2006_01")
			if _, err := tx.Exec(ctx, fmt.Sprintf(`CREATE TABLE IF NOT EXISTS %s PARTITION OF prices_hourly_packed
				FOR VALUES FROM ('%s') TO ('%s')`, pgx.Identifier{name}.Sanitize(),
				m.Format(time.DateOnly), m.AddDate(0, 1, 0).Format(time.DateOnly))); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return wrap("create partitions", err)
	}
	s.partitions.add(months)
	return nil
}

// EnsurePartitionsAhead creates the partitions of the current month and the monthsAhead after
// it, by the database's clock.
func (s *Store) EnsurePartitionsAhead(ctx context.Context) error {
	var now time.Time
	if err := s.pool.QueryRow(ctx, `SELECT now()`).Scan(&now); err != nil {
		return wrap("create partitions", err)
	}
	return s.EnsurePartitions(ctx, domain.UTCDay(now), monthOf(now).AddDate(0, monthsAhead, 0))
}
