package pipeline

import (
	"fmt"
	"testing"
	"time"

	appclock "github.com/cryptodash/cryptodash/internal/clock"

	"github.com/cryptodash/cryptodash/internal/store/storetest"
)

// Replicas whose clocks are hours apart, each going by the database's clock, fire every slot
// at the same instant, so the slot each one claims is the same and runs once.
func TestSchedule_SkewedReplicasFireTogether(t *testing.T) {
	t.Parallel()
	st := storetest.New(t)
	ctx := t.Context()
	// A slot half a day away: no replica can find it just passed while another finds it
	// still to come, whatever the time of day the test runs.
	at := appclock.Now().UTC().Add(12 * time.Hour)
	expr := fmt.Sprintf("%d %d * * *", at.Minute(), at.Hour())
	want := at.Truncate(time.Minute)
	for _, skew := range []time.Duration{3 * time.Hour, -2 * time.Hour, 0, 25 * time.Hour} {
		clock := st.NewClock(func() time.Time { return appclock.Now().Add(skew) })
		if err := clock.Sync(ctx); err != nil {
			t.Fatal(err)
		}
		p := New(ctx, Options{Store: st, Now: clock.Now})
		s, job, err := p.scheduler(expr)
		if err != nil {
			t.Fatal(err)
		}
		s.Start()
		next, err := job.NextRun()
		if serr := s.Shutdown(); serr != nil {
			t.Fatal(serr)
		}
		if err != nil {
			t.Fatal(err)
		}
		// gocron waits next minus its clock's now on a real timer: that is when it fires, by
		// the machine's clock, which the database's is here (moved, as the test's present is,
		// in a run as of another date).
		fires := appclock.Now().Add(next.Sub(p.opts.Now()))
		if d := fires.Sub(want); d > time.Second || d < -time.Second {
			t.Errorf("a replica %s off the database's clock fires at %s, want %s", skew, fires.UTC(), want)
		}
	}
}
