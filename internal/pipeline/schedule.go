package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/go-co-op/gocron/v2"
	"github.com/jonboulle/clockwork"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// SlotTolerance is how early a run may have started and still satisfy a scheduled slot.
// Replicas' clocks and timers drift; a run another replica started a little before this one's
// slot came round is the same daily run, not a reason for a second one.
const SlotTolerance = 10 * time.Minute

// Schedule runs the pipeline on a five-field cron expression in UTC until the returned stop
// function is called. Every replica schedules the same slots; RunSlot makes each slot run once.
// Slots come round by Options.Now, the database's clock in serve, so that replicas whose own
// clocks drift apart still fire together, and each one's slot is the same instant.
func (p *Pipeline) Schedule(expr string) (stop func() error, err error) {
	s, _, err := p.scheduler(expr)
	if err != nil {
		return nil, err
	}
	s.Start()
	return s.Shutdown, nil
}

// scheduler builds Schedule's scheduler and its one job, not yet started.
func (p *Pipeline) scheduler(expr string) (gocron.Scheduler, gocron.Job, error) {
	s, err := gocron.NewScheduler(gocron.WithLocation(time.UTC), gocron.WithClock(schedulerClock{Clock: clockwork.NewRealClock(), now: p.opts.Now}))
	if err != nil {
		return nil, nil, err
	}
	job, err := s.NewJob(gocron.CronJob(expr, false), gocron.NewTask(func() {
		if !p.track() {
			return
		}
		defer p.wg.Done()
		slot := p.opts.Now().UTC().Truncate(time.Minute)
		if _, err := p.RunSlot(p.base, slot); err != nil {
			p.opts.Logger.Error("scheduled fetch", "slot", slot, "err", err)
		}
	}), gocron.WithSingletonMode(gocron.LimitModeReschedule))
	if err != nil {
		return nil, nil, fmt.Errorf("FETCH_SCHEDULE %q: %w", expr, err)
	}
	return s, job, nil
}

// schedulerClock is the real clock's timers with the pipeline's time: gocron finds the next
// slot by Now and waits for it with a timer of the difference.
type schedulerClock struct {
	clockwork.Clock
	now func() time.Time
}

func (c schedulerClock) Now() time.Time                  { return c.now() }
func (c schedulerClock) Since(t time.Time) time.Duration { return c.now().Sub(t) }
func (c schedulerClock) Until(t time.Time) time.Duration { return t.Sub(c.now()) }

// RunSlot runs the scheduled fetch for slot unless the slot is already satisfied: a run is in
// progress, or one started at or after slot minus SlotTolerance (by the database's clock, in
// the same transaction that would claim the lease, so two replicas cannot both decide to
// run). A run cut short by a database fault is resumed as Start's are. It reports whether it
// ran.
func (p *Pipeline) RunSlot(ctx context.Context, slot time.Time) (bool, error) {
	// slot is by the present (clock.Now, or the database's clock seen through it), but runs'
	// start times are written by PostgreSQL, which a test binary run as of another date does
	// not move: without the offset every replica of such a run would miss the run another
	// replica already made for the slot, and run it again.
	l, run, err := p.claim(ctx, domain.TriggerSchedule, slot.Add(-SlotTolerance-clock.Offset()))
	if err != nil {
		return false, err
	}
	if l.fence == 0 {
		if run.Status == domain.RunRunning {
			p.opts.Logger.Info("scheduled fetch skipped: a run is in progress", "slot", slot, "run_id", run.ID)
		} else {
			p.opts.Logger.Info("scheduled fetch skipped: another replica already ran this slot", "slot", slot, "run_id", run.ID)
		}
		return false, nil
	}
	p.runAndResume(ctx, domain.TriggerSchedule, l, run)
	return true, nil
}
