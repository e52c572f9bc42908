package store

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// clockRefresh is how often Follow reads the database's clock.
const clockRefresh = 30 * time.Second

// Clock tells the time by the database's clock, so that every replica agrees on slots,
// windows, "today", ETags and ages whatever its own clock says: it keeps the offset between
// the local clock and the database's, measured at the last read, and adds it to the local
// clock. Now never waits for the database; until the first read it is the local clock.
type Clock struct {
	s     *Store
	local func() time.Time

	mu       sync.Mutex
	offset   time.Duration
	measured bool
}

// NewClock returns a clock following the database's, over local (time.Now in production; a
// test gives a skewed one). Sync reads the database's clock; Follow keeps reading it.
func (s *Store) NewClock(local func() time.Time) *Clock {
	return &Clock{s: s, local: local}
}

// Now is the database's time, as far as the last read tells.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.local().Add(c.offset)
}

// Skew tells how far the local clock is ahead of the database's (behind when negative), and
// whether it has been measured yet.
func (c *Clock) Skew() (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return -c.offset, c.measured
}

// Sync reads the database's clock once. The midpoint of the round trip stands for the moment
// the database read it, so a slow answer does not show as skew.
func (c *Clock) Sync(ctx context.Context) error {
	before := c.local()
	var db time.Time
	if err := c.s.pool.QueryRow(ctx, `SELECT clock_timestamp()`).Scan(&db); err != nil {
		return wrap("read the database's clock", err)
	}
	// A test binary run as of another date (internal/clock) sees the database's clock moved
	// with its own; elsewhere the offset is zero.
	db = db.Add(clock.Offset())
	after := c.local()
	c.mu.Lock()
	c.offset = db.Sub(before.Add(after.Sub(before) / 2))
	c.measured = true
	c.mu.Unlock()
	return nil
}

// Follow reads the database's clock every clockRefresh until ctx ends, logging an error each
// time the local clock is off by more than domain.MaxClockSkew: the replica still agrees with the
// others, but its operator should fix its time source.
func (c *Clock) Follow(ctx context.Context, logger *slog.Logger) {
	t := time.NewTicker(clockRefresh)
	defer t.Stop()
	for {
		readCtx, cancel := context.WithTimeout(ctx, versionTimeout)
		err := c.Sync(readCtx)
		cancel()
		switch skew, _ := c.Skew(); {
		case ctx.Err() != nil:
			return
		case err != nil:
			logger.Debug("read the database's clock", "error", err.Error())
		case skew > domain.MaxClockSkew || skew < -domain.MaxClockSkew:
			logger.Error("this replica's clock is off the database's; times are taken from the database, but fix the host's time source",
				"skew", skew.Round(time.Second).String(), "max", domain.MaxClockSkew.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
